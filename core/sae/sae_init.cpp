#include "core/sae/sae_init.h"

#include <cmath>

#include "core/error.h"

namespace loupe::sae {

double input_scale(const torch::Tensor& samples) {
  const double mean_squared_norm = samples.to(torch::kFloat64).pow(2).sum(1).mean().item<double>();
  if (!(mean_squared_norm > 0) || !std::isfinite(mean_squared_norm))
    throw InputError("the activations to train on are all zero (or not finite); check the store and the hook");
  return std::sqrt(double(samples.size(1)) / mean_squared_norm);
}

torch::Tensor geometric_median(const torch::Tensor& samples, int64_t iterations, double tolerance) {
  torch::NoGradGuard no_grad;
  const torch::Tensor points = samples.to(torch::kFloat64);  // [N, d]
  torch::Tensor median = points.mean(0);                      // [d]
  for (int64_t i = 0; i < iterations; ++i) {
    const torch::Tensor weights = 1.0 / (points - median).norm(2, {1}).clamp_min(1e-8);  // [N]
    const torch::Tensor next = (weights.unsqueeze(1) * points).sum(0) / weights.sum();
    const double moved = (next - median).norm().item<double>();
    median = next;
    if (moved <= tolerance * (1.0 + median.norm().item<double>())) break;
  }
  return median.to(samples.scalar_type());
}

Sae fold_input_scale(const Sae& sae, double scale) {
  torch::NoGradGuard no_grad;
  Sae folded = sae;
  folded.W_enc = sae.W_enc.detach() * scale;
  folded.W_dec = sae.W_dec.detach() / scale;
  folded.b_dec = sae.b_dec.detach() / scale;
  folded.b_enc = sae.b_enc.detach().clone();
  if (sae.threshold.defined()) folded.threshold = sae.threshold.detach().clone();
  folded.config.input_scale = sae.config.input_scale * scale;
  return folded;
}

}  // namespace loupe::sae
