// The training objective of each SAE kind, for one batch (docs/sae.md, Training):
//   relu: Σ_d (x̂ - x)² + l1 · Σ_j f_j · ‖W_dec[j]‖ (the norm factor only when l1_decoder_norm)
//   topk: Σ_d (x̂ - x)² + aux_coefficient · AuxK, where AuxK reconstructs the detached residual
//         x - x̂ from the aux_k largest pre-activations of dead latents, normalised by its variance
// both averaged over the batch. TopK decodes sparsely (gather_rows_sum).
#pragma once
#include <torch/torch.h>

#include "core/sae/sae.h"

namespace loupe::sae {

struct ObjectiveOptions {
  double l1 = 5.0;
  bool l1_decoder_norm = true;
  double aux_coefficient = 1.0 / 32.0;
  int64_t aux_k = 0;  // 0: d_in / 2
};

struct ObjectiveResult {
  torch::Tensor loss;            // scalar, differentiable
  torch::Tensor reconstruction;  // [B, d_in] (detached)
  torch::Tensor fire_counts;     // [d_sae] int64: vectors of the batch each latent was active on
  double mse = 0;                // mean over the batch of Σ_d (x̂ - x)²
  double explained_variance = 0;  // 1 - Σ(x̂ - x)² / Σ(x - mean x)²
  double l0 = 0;                 // mean active latents per vector
  double sparsity_loss = 0;      // the L1 term (relu) or the AuxK term (topk), before its coefficient
};

// `dead` [d_sae] bool marks the latents AuxK may use (ignored for relu). Throws InputError for a
// JumpReLU SAE (loupe loads JumpReLU SAEs but does not train them).
ObjectiveResult sae_objective(const Sae& sae, const torch::Tensor& x, const torch::Tensor& dead,
                              const ObjectiveOptions& options);

}  // namespace loupe::sae
