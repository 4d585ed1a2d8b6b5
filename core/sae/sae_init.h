// Data-dependent set-up of SAE training (docs/sae.md, Normalisation and initialisation).
#pragma once
#include <torch/torch.h>

#include "core/sae/sae.h"

namespace loupe::sae {

// The factor s with mean ‖s·x‖² = d_in over `samples` [N, d_in] (SAELens'
// "expected_average_only_in"). Throws InputError when every sample is zero.
double input_scale(const torch::Tensor& samples);

// The point minimising the summed Euclidean distance to `samples` [N, d] (Weiszfeld iterations,
// started at the mean): [d].
torch::Tensor geometric_median(const torch::Tensor& samples, int64_t iterations = 50, double tolerance = 1e-6);

// Rewrites an SAE trained on inputs scaled by `scale` so that it takes raw activations and returns
// raw reconstructions: W_enc·s, b_dec/s, W_dec/s (b_enc and thresholds unchanged). Records the scale.
Sae fold_input_scale(const Sae& sae, double scale);

}  // namespace loupe::sae
