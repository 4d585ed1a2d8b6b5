// SAE latent edits inside the model: the edited reconstruction plus the SAE's error term.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/error.h"
#include "core/intervene/sae_edit.h"
#include "core/model/vlm.h"
#include "fixture_case.h"

using namespace loupe;
using intervene::LatentEdit;
using model::HookPoint;
using model::Site;

namespace {

const HookPoint kPoint{Site::ResidPost, 0, false};

std::shared_ptr<const sae::Sae> relu_sae(int64_t d_in, int64_t d_sae) {
  sae::SaeConfig config;
  config.kind = sae::SaeKind::Relu;
  config.d_in = d_in;
  config.d_sae = d_sae;
  config.hook_name = model::hook_name(kPoint);
  return std::make_shared<const sae::Sae>(sae::Sae::initialized(config, 11));
}

torch::Tensor edited(model::HookOperation& operation, const torch::Tensor& x) {
  return operation.apply(x, {kPoint, 0, true});
}

}  // namespace

TEST_CASE("an SAE edit changes x by exactly the edited latents' decoder rows", "[intervene][sae]") {
  const auto sae = relu_sae(6, 10);
  torch::manual_seed(3);
  const torch::Tensor x = torch::randn({2, 4, 6});                          // [B, T, d_in]
  const torch::Tensor codes = sae->encode(x.reshape({-1, 6})).view({2, 4, 10});
  // The latent most active at position 1 of row 0, so the ablation is not a no-op.
  const int64_t latent = codes[0][1].argmax().item<int64_t>();
  REQUIRE(codes[0][1][latent].item<float>() > 0);

  auto ablate = intervene::sae_edit(sae, {{latent, LatentEdit::Kind::Set, 0.0}}, {{1, 2}, {0}});
  const torch::Tensor out = edited(*ablate, x);
  for (int64_t t : {1, 2}) {
    const torch::Tensor expected = x[0][t] - codes[0][t][latent] * sae->W_dec[latent];
    CHECK(torch::allclose(out[0][t], expected, 1e-6, 1e-6));
  }
  CHECK(torch::equal(out[0][0], x[0][0]));  // positions not selected
  CHECK(torch::equal(out[0][3], x[0][3]));
  CHECK(torch::equal(out[1], x[1]));        // row not selected

  // Setting a latent to twice its value adds that value's decoder row once more.
  auto doubled = intervene::sae_edit(sae, {{latent, LatentEdit::Kind::Scale, 2.0}});
  const torch::Tensor twice = edited(*doubled, x);
  CHECK(torch::allclose(twice[0][1], x[0][1] + codes[0][1][latent] * sae->W_dec[latent], 1e-6, 1e-6));

  // A weight moves that share of the way to the target: residual-mode zero ablation with δ = 0.25
  // subtracts a quarter of the latent's contribution; toward a mean m, δ (f − m) of it.
  auto quarter = intervene::sae_edit(sae, {{latent, LatentEdit::Kind::Set, 0.0, 0.25}});
  CHECK(torch::allclose(edited(*quarter, x)[0][1], x[0][1] - 0.25 * codes[0][1][latent] * sae->W_dec[latent], 1e-6, 1e-6));
  auto toward_mean = intervene::sae_edit(sae, {{latent, LatentEdit::Kind::Set, 0.5, 0.25}});
  CHECK(torch::allclose(edited(*toward_mean, x)[0][1],
                        x[0][1] - 0.25 * (codes[0][1][latent] - 0.5) * sae->W_dec[latent], 1e-6, 1e-6));
}

TEST_CASE("an SAE edit that changes no latent leaves the model's output bit-identical", "[intervene][sae][model]") {
  const auto reference = test::reference_case("gemma3-tiny");
  auto vlm = model::load_vlm(std::string(LOUPE_FIXTURES) + "/gemma3-tiny");
  const auto sae = relu_sae(vlm->config.text.hidden, 16);
  torch::NoGradGuard no_grad;
  model::Session clean;
  const torch::Tensor logits = vlm->forward(reference.inputs(), clean);

  model::Session unchanged;  // scaling every latent by 1: the reconstruction and error term as they were
  std::vector<LatentEdit> identity;
  for (int64_t i = 0; i < 16; ++i) identity.push_back({i, LatentEdit::Kind::Scale, 1.0});
  unchanged.hooks.add_operation(kPoint, intervene::sae_edit(sae, identity));
  CHECK(torch::equal(vlm->forward(reference.inputs(), unchanged), logits));

  model::Session ablated;  // zeroing every latent removes the whole reconstruction but b_dec
  std::vector<LatentEdit> zero;
  for (int64_t i = 0; i < 16; ++i) zero.push_back({i, LatentEdit::Kind::Set, 0.0});
  ablated.hooks.add_operation(kPoint, intervene::sae_edit(sae, zero));
  ablated.hooks.capture(kPoint);
  model::Session captured;
  captured.hooks.capture(kPoint);
  vlm->forward(reference.inputs(), captured);
  CHECK_FALSE(torch::equal(vlm->forward(reference.inputs(), ablated), logits));
  const torch::Tensor x = captured.hooks.captured(kPoint)[0];  // [T, d]
  const torch::Tensor expected = x - sae->decode(sae->encode(x)) + sae->b_dec;
  CHECK(torch::allclose(ablated.hooks.captured(kPoint)[0], expected, 1e-5, 1e-5));
}

TEST_CASE("SAE edits refuse latents, values and hooks that do not fit", "[intervene][sae][errors]") {
  const auto sae = relu_sae(6, 10);
  CHECK_THROWS_WITH(intervene::sae_edit(sae, {}), Catch::Contains("at least one latent"));
  CHECK_THROWS_WITH(intervene::sae_edit(sae, {{10, LatentEdit::Kind::Set, 0.0}}),
                    Catch::Contains("latent 10 is outside this SAE's 10 latents"));
  CHECK_THROWS_WITH(intervene::sae_edit(sae, {{-1, LatentEdit::Kind::Set, 0.0}}), Catch::Contains("outside"));
  CHECK_THROWS_WITH(intervene::sae_edit(sae, {{2, LatentEdit::Kind::Scale, std::nan("")}}), Catch::Contains("finite value"));
  auto edit = intervene::sae_edit(sae, {{2, LatentEdit::Kind::Set, 0.0}});
  CHECK_THROWS_WITH(edited(*edit, torch::zeros({1, 3, 5})), Catch::Contains("takes vectors 6 wide but the hook's are 5"));
}
