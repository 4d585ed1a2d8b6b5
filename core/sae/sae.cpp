#include "core/sae/sae.h"

#include <tuple>

#include "core/error.h"

namespace loupe::sae {

Sae Sae::initialized(const SaeConfig& config, uint64_t seed) {
  check_sae_size(config.d_in, config.d_sae, "the SAE has");
  torch::NoGradGuard no_grad;
  torch::manual_seed(seed);
  Sae sae;
  sae.config = config;
  // Kaiming-uniform rows, then unit norm: every latent starts with the same decoder scale.
  try {
    sae.W_dec = torch::empty({config.d_sae, config.d_in});
  } catch (const c10::Error&) {
    throw InputError("cannot allocate an SAE of d_in " + std::to_string(config.d_in) + " x d_sae " +
                     std::to_string(config.d_sae) + " (" +
                     std::to_string(double(config.d_in) * double(config.d_sae) * 4.0 / double(1 << 30)) +
                     " GiB per weight matrix; training holds six such): use a smaller --expansion");
  }
  torch::nn::init::kaiming_uniform_(sae.W_dec);
  sae.W_dec.div_(sae.W_dec.norm(2, {1}, true));
  sae.W_enc = sae.W_dec.t().contiguous();
  sae.b_enc = torch::zeros({config.d_sae});
  sae.b_dec = torch::zeros({config.d_in});
  if (config.kind == SaeKind::JumpRelu) sae.threshold = torch::zeros({config.d_sae});
  sae.check();
  return sae;
}

void Sae::check() const {
  const int64_t d_in = config.d_in, d_sae = config.d_sae;
  auto expect = [&](const torch::Tensor& tensor, const char* name, std::vector<int64_t> shape) {
    if (!tensor.defined()) throw FormatError(std::string("the SAE has no '") + name + "' tensor");
    if (tensor.sizes() != c10::IntArrayRef(shape))
      throw FormatError(std::string("the SAE's ") + name + " has shape " + c10::str(tensor.sizes()) + ", expected " +
                        c10::str(c10::IntArrayRef(shape)) + " for d_in " + std::to_string(d_in) + " and d_sae " +
                        std::to_string(d_sae));
  };
  expect(W_enc, "W_enc", {d_in, d_sae});
  expect(W_dec, "W_dec", {d_sae, d_in});
  expect(b_enc, "b_enc", {d_sae});
  expect(b_dec, "b_dec", {d_in});
  if (config.kind == SaeKind::JumpRelu) expect(threshold, "threshold", {d_sae});
  if (config.kind == SaeKind::TopK && (config.k < 1 || config.k > d_sae))
    throw FormatError("a TopK SAE needs 1 <= k <= d_sae (" + std::to_string(d_sae) + "), got k = " + std::to_string(config.k));
}

void Sae::check_finite() const {
  const std::pair<const char*, const torch::Tensor*> named[] = {
      {"W_enc", &W_enc}, {"b_enc", &b_enc}, {"W_dec", &W_dec}, {"b_dec", &b_dec}, {"threshold", &threshold}};
  for (const auto& [name, tensor] : named)
    if (tensor->defined() && !torch::isfinite(*tensor).all().item<bool>())
      throw FormatError(std::string("the SAE's ") + name + " holds NaN or infinite values");
}

namespace {

torch::Tensor centred_input(const Sae& sae, const torch::Tensor& x) {
  return sae.config.apply_b_dec_to_input ? x - sae.b_dec : x;
}

SparseCodes top_k_of(const Sae& sae, const torch::Tensor& pre) {
  if (sae.config.kind != SaeKind::TopK)
    throw InputError(std::string("encode_topk needs a TopK SAE, not ") + kind_name(sae.config.kind));
  auto [values, indices] = torch::topk(pre, sae.config.k, -1, true, false);  // [B, k] each
  return {torch::relu(values), indices};
}

}  // namespace

torch::Tensor Sae::pre_activations(const torch::Tensor& x) const {
  return torch::addmm(b_enc, centred_input(*this, x), W_enc);
}

torch::Tensor Sae::encode(const torch::Tensor& x) const {
  const torch::Tensor pre = pre_activations(x);  // [B, d_sae]
  switch (config.kind) {
    case SaeKind::Relu: return torch::relu(pre);
    case SaeKind::JumpRelu: return torch::relu(pre) * (pre > threshold).to(pre.scalar_type());
    case SaeKind::TopK: {
      const SparseCodes codes = top_k_of(*this, pre);
      return torch::zeros_like(pre).scatter_(-1, codes.indices, codes.values);
    }
  }
  return pre;
}

SparseCodes Sae::encode_topk(const torch::Tensor& x) const { return top_k_of(*this, pre_activations(x)); }

SparseCodes Sae::encode_topk(const torch::Tensor& x, torch::Tensor& scratch) const {
  torch::NoGradGuard no_grad;
  if (!scratch.defined()) scratch = torch::empty({0}, W_enc.options());
  scratch.resize_({x.size(0), config.d_sae});  // in place: addmm_out would warn on a shape change
  torch::addmm_out(scratch, b_enc, centred_input(*this, x), W_enc);  // [B, d_sae]
  return top_k_of(*this, scratch);
}

torch::Tensor Sae::decode(const torch::Tensor& codes) const { return torch::addmm(b_dec, codes, W_dec); }

torch::Tensor Sae::decode_sparse(const SparseCodes& codes) const { return gather_rows_sum(W_dec, codes) + b_dec; }

torch::Tensor Sae::reconstruct(const torch::Tensor& x) const {
  const auto shape = x.sizes().vec();
  const torch::Tensor flat = x.reshape({-1, config.d_in}).to(W_enc.scalar_type());
  const torch::Tensor out = config.kind == SaeKind::TopK ? decode_sparse(encode_topk(flat)) : decode(encode(flat));
  return out.reshape(shape).to(x.scalar_type());
}

Sae Sae::to(const torch::Device& target) const {
  Sae moved = *this;
  for (torch::Tensor* tensor : {&moved.W_enc, &moved.b_enc, &moved.W_dec, &moved.b_dec, &moved.threshold})
    if (tensor->defined()) *tensor = tensor->to(target);
  return moved;
}

torch::Tensor gather_rows_sum(const torch::Tensor& rows, const SparseCodes& codes) {
  const int64_t batch = codes.indices.size(0), k = codes.indices.size(1);
  const torch::Tensor offsets =
      torch::arange(0, batch * k, k, torch::TensorOptions().dtype(torch::kLong).device(rows.device()));
  // embedding_bag in sum mode with per-sample weights: one fused gather-scale-sum per vector, and a
  // backward that touches only the gathered rows.
  auto result = torch::embedding_bag(rows, codes.indices.reshape({-1}), offsets, false, /*mode sum*/ 0, false,
                                     codes.values.reshape({-1}).to(rows.scalar_type()), false);
  return std::get<0>(result);  // [B, d]
}

}  // namespace loupe::sae
