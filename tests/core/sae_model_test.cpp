// SAE kinds: encoding rules, the sparse TopK decoder against the dense one (values and gradients),
// folding the training scale, and the data-dependent initialisation.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "core/error.h"
#include "core/sae/sae.h"
#include "core/sae/sae_init.h"
#include "core/sae/sparse_encoder.h"

using namespace loupe;
using sae::Sae;
using sae::SaeKind;

namespace {

Sae make(SaeKind kind, int64_t k = 0) {
  sae::SaeConfig config;
  config.kind = kind;
  config.d_in = 16;
  config.d_sae = 64;
  config.k = k;
  Sae sae = Sae::initialized(config, 3);
  sae.b_enc = torch::randn({64}) * 0.1;
  sae.b_dec = torch::randn({16}) * 0.1;
  if (kind == SaeKind::JumpRelu) sae.threshold = torch::rand({64}) * 0.3;
  return sae;
}

}  // namespace

TEST_CASE("each kind encodes by its own rule", "[sae]") {
  torch::manual_seed(1);
  const torch::Tensor x = torch::randn({10, 16});
  const Sae relu = make(SaeKind::Relu);
  const torch::Tensor pre = relu.pre_activations(x);  // [10, 64]
  CHECK(torch::equal(relu.encode(x), torch::relu(pre)));

  const Sae topk = make(SaeKind::TopK, 5);
  const torch::Tensor codes = topk.encode(x);
  CHECK(((codes != 0).sum(1) <= 5).all().item<bool>());
  // The kept entries are the largest pre-activations.
  // Where all five kept values are positive, the smallest equals the fifth largest pre-activation.
  const torch::Tensor full = (codes != 0).sum(1) == 5;
  REQUIRE(full.any().item<bool>());
  const torch::Tensor kept_min = std::get<0>(codes.masked_fill(codes == 0, 1e9).min(1));
  const torch::Tensor fifth = std::get<0>(topk.pre_activations(x).topk(5, 1)).select(1, 4);
  CHECK(torch::allclose(kept_min.masked_select(full), fifth.masked_select(full)));

  const Sae jump = make(SaeKind::JumpRelu);
  const torch::Tensor jump_pre = jump.pre_activations(x);
  const torch::Tensor jump_codes = jump.encode(x);
  CHECK(torch::equal(jump_codes != 0, (jump_pre > jump.threshold) & (jump_pre > 0)));
  CHECK(torch::equal(jump_codes.masked_select(jump_codes != 0), jump_pre.masked_select(jump_codes != 0)));
}

TEST_CASE("Gemma Scope SAEs skip the b_dec subtraction at the input", "[sae]") {
  Sae sae = make(SaeKind::JumpRelu);
  const torch::Tensor x = torch::randn({4, 16});
  sae.config.apply_b_dec_to_input = false;
  CHECK(torch::allclose(sae.pre_activations(x), x.matmul(sae.W_enc) + sae.b_enc));
}

TEST_CASE("the sparse TopK decoder equals the dense one, gradients included", "[sae]") {
  torch::manual_seed(2);
  Sae sae = make(SaeKind::TopK, 6);
  const torch::Tensor x = torch::randn({12, 16});
  const sae::SparseCodes codes = sae.encode_topk(x);
  CHECK(torch::allclose(sae.decode_sparse(codes), sae.decode(sae.encode(x)), 1e-5, 1e-6));

  // Gradients in the decoder rows and the code values.
  const torch::Tensor rows = sae.W_dec.clone().requires_grad_(true);
  const torch::Tensor values = codes.values.clone().requires_grad_(true);
  const torch::Tensor weight = torch::randn({12, 16});
  (sae::gather_rows_sum(rows, {values, codes.indices}) * weight).sum().backward();
  const torch::Tensor dense_rows = sae.W_dec.clone().requires_grad_(true);
  const torch::Tensor dense_values = codes.values.clone().requires_grad_(true);
  const torch::Tensor dense_codes = torch::zeros({12, 64}).scatter(1, codes.indices, dense_values);
  (dense_codes.matmul(dense_rows) * weight).sum().backward();
  CHECK(torch::allclose(rows.grad(), dense_rows.grad(), 1e-5, 1e-6));
  CHECK(torch::allclose(values.grad(), dense_values.grad(), 1e-5, 1e-6));
}

TEST_CASE("TopK encoding into a reused buffer equals a fresh encoding, batch after batch", "[sae]") {
  torch::manual_seed(3);
  const Sae sae = make(SaeKind::TopK, 6);
  torch::Tensor scratch;
  for (int64_t batch : {12, 5, 12}) {  // shrinks, then grows again
    const torch::Tensor x = torch::randn({batch, 16});
    const sae::SparseCodes fresh = sae.encode_topk(x), reused = sae.encode_topk(x, scratch);
    REQUIRE(reused.indices.sizes() == fresh.indices.sizes());
    CHECK(scratch.size(0) == batch);
    // The same latents with the same values, in whatever order topk returns them.
    const auto [fresh_ids, fresh_order] = fresh.indices.sort(1);
    const auto [reused_ids, reused_order] = reused.indices.sort(1);
    CHECK(torch::equal(fresh_ids, reused_ids));
    CHECK(torch::allclose(fresh.values.gather(1, fresh_order), reused.values.gather(1, reused_order), 1e-6, 1e-6));
  }
  CHECK_THROWS_AS(make(SaeKind::Relu).encode_topk(torch::zeros({1, 16}), scratch), InputError);
}

TEST_CASE("the sparse encoder backward equals dense autograd", "[sae]") {
  torch::manual_seed(5);
  const torch::Tensor x = torch::randn({9, 16});
  const torch::Tensor weight = torch::randn({9, 4});
  const torch::Tensor indices = torch::randint(0, 64, {9, 4});
  auto parameters = [] {
    torch::manual_seed(6);
    return std::vector<torch::Tensor>{torch::randn({16, 64}).requires_grad_(true), torch::randn({64}).requires_grad_(true),
                                      torch::randn({16}).requires_grad_(true)};
  };
  const auto sparse = parameters(), dense = parameters();  // W_enc, b_enc, b_dec
  const torch::Tensor centred = x - sparse[2];
  torch::Tensor pre;
  {
    torch::NoGradGuard no_grad;
    pre = torch::addmm(sparse[1], centred, sparse[0]);
  }
  (sae::selected_pre_activations(centred, sparse[0], sparse[1], pre, indices) * weight).sum().backward();
  (torch::addmm(dense[1], x - dense[2], dense[0]).gather(1, indices) * weight).sum().backward();
  for (size_t i = 0; i < 3; ++i) CHECK(torch::allclose(sparse[i].grad(), dense[i].grad(), 1e-5, 1e-5));
}

TEST_CASE("reconstruct keeps the leading shape and dtype", "[sae]") {
  const Sae sae = make(SaeKind::TopK, 4);
  const torch::Tensor x = torch::randn({2, 3, 16});
  const torch::Tensor out = sae.reconstruct(x);
  CHECK(out.sizes() == x.sizes());
  CHECK(torch::allclose(out.reshape({6, 16}), sae.decode(sae.encode(x.reshape({6, 16}))), 1e-5, 1e-6));
}

TEST_CASE("folding the input scale gives the same reconstruction on raw activations", "[sae]") {
  for (SaeKind kind : {SaeKind::Relu, SaeKind::TopK, SaeKind::JumpRelu}) {
    const Sae scaled = make(kind, 4);
    const double scale = 0.125;
    const Sae raw = sae::fold_input_scale(scaled, scale);
    const torch::Tensor x = torch::randn({8, 16}) * 8;
    CHECK(torch::allclose(raw.reconstruct(x), scaled.reconstruct(x * scale) / scale, 1e-4, 1e-4));
    CHECK(torch::allclose(raw.encode(x), scaled.encode(x * scale), 1e-4, 1e-5));
    CHECK(raw.config.input_scale == scale);
  }
}

TEST_CASE("input scale and geometric median", "[sae]") {
  torch::manual_seed(4);
  const torch::Tensor samples = torch::randn({512, 16}) * 7 + 3;
  const double scale = sae::input_scale(samples);
  CHECK((samples * scale).pow(2).sum(1).mean().item<double>() == Approx(16.0).epsilon(1e-4));
  CHECK_THROWS_AS(sae::input_scale(torch::zeros({4, 16})), InputError);

  // A far outlier drags the mean but hardly the median.
  torch::Tensor cluster = torch::randn({200, 4}) * 0.1;
  cluster[0] = torch::full({4}, 1000.0);
  const torch::Tensor median = sae::geometric_median(cluster);
  CHECK(median.norm().item<double>() < 0.1);
  CHECK(cluster.mean(0).norm().item<double>() > 5.0);
}

TEST_CASE("shape and k errors name what is wrong", "[sae]") {
  Sae sae = make(SaeKind::TopK, 4);
  sae.config.k = 65;
  CHECK_THROWS_WITH(sae.check(), Catch::Contains("k"));
  sae = make(SaeKind::Relu);
  sae.W_dec = torch::zeros({64, 15});
  CHECK_THROWS_WITH(sae.check(), Catch::Contains("W_dec") && Catch::Contains("[64, 16]"));
  CHECK_THROWS_AS(sae::parse_kind("gated"), InputError);
  CHECK_THROWS_AS(make(SaeKind::Relu).encode_topk(torch::zeros({1, 16})), InputError);
}
