#include "core/model/layers.h"

#include <cmath>

#include "core/error.h"

namespace loupe::model {

LinearImpl::LinearImpl(int64_t in, int64_t out, bool with_bias, const torch::TensorOptions& options) {
  weight = register_parameter("weight", torch::empty({out, in}, options));
  if (with_bias) bias = register_parameter("bias", torch::empty({out}, options));
}

torch::Tensor LinearImpl::forward(const torch::Tensor& x) const { return torch::linear(x, weight, bias); }

EmbeddingImpl::EmbeddingImpl(int64_t vocab, int64_t width, const torch::TensorOptions& options) {
  weight = register_parameter("weight", torch::empty({vocab, width}, options));
}

NormImpl::NormImpl(NormKind norm_kind, int64_t width, double epsilon, const torch::TensorOptions& options)
    : kind(norm_kind), eps(epsilon) {
  weight = register_parameter("weight", torch::empty({width}, options));
  if (kind == NormKind::Layer) bias = register_parameter("bias", torch::empty({width}, options));
}

torch::Tensor NormImpl::forward(const torch::Tensor& x) const {
  switch (kind) {
    case NormKind::GemmaRms: {
      torch::Tensor h = x.to(torch::kFloat32);
      h = h * torch::rsqrt(h.pow(2).mean(-1, true) + eps);
      return (h * (1.0 + weight.to(torch::kFloat32))).to(x.scalar_type());
    }
    case NormKind::LlamaRms: {
      torch::Tensor h = x.to(torch::kFloat32);
      h = h * torch::rsqrt(h.pow(2).mean(-1, true) + eps);
      return weight * h.to(x.scalar_type());
    }
    case NormKind::Layer:
      return torch::layer_norm(x, {weight.size(0)}, weight, bias, eps);
  }
  return x;
}

torch::Tensor rms_gain(const NormImpl& norm) {
  const torch::Tensor weight = norm.weight.to(torch::kCPU, torch::kFloat64);
  if (norm.kind == NormKind::GemmaRms) return 1 + weight;
  if (norm.kind == NormKind::LlamaRms) return weight;
  throw InputError("this needs a decoder whose final norm is an RMS norm (Gemma 3, Llama), not a LayerNorm");
}

torch::Tensor activate(const torch::Tensor& x, io::Activation activation) {
  switch (activation) {
    case io::Activation::GeluTanh: return torch::gelu(x, "tanh");
    case io::Activation::GeluErf: return torch::gelu(x);
    case io::Activation::QuickGelu: return x * torch::sigmoid(1.702 * x);
    case io::Activation::Silu: return torch::silu(x);
  }
  return x;
}

Rope::Rope(const io::RopeConfig& config, int64_t head_dim) {
  torch::Tensor exponents = torch::arange(0, head_dim, 2, torch::kInt64).to(torch::kFloat32) / double(head_dim);
  inv_freq_ = 1.0 / torch::pow(torch::scalar_tensor(config.theta, torch::kFloat32), exponents);
  if (config.linear_factor != 1.0) inv_freq_ = inv_freq_ / config.linear_factor;
}

RopeTable Rope::table(const torch::Tensor& positions, torch::Device device, torch::ScalarType dtype) const {
  // angle [T, dim/2] → emb [T, dim] → [1, T, 1, dim], broadcast over [B, T, heads, dim]
  const torch::Tensor angle = torch::outer(positions.to(torch::kFloat32).cpu(), inv_freq_);
  const torch::Tensor emb = torch::cat({angle, angle}, -1).to(device);
  return {emb.cos().to(dtype).unsqueeze(0).unsqueeze(2), emb.sin().to(dtype).unsqueeze(0).unsqueeze(2)};
}

torch::Tensor RopeTable::apply(const torch::Tensor& x) const {
  const int64_t half = x.size(-1) / 2;
  const torch::Tensor rotated = torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
  return x * cos + rotated * sin;
}

}  // namespace loupe::model
