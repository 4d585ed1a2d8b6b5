// SAE training checkpoints: one safetensors file with the weights in the training's scaled space
// ("sae.NAME"), the Adam moments ("adam.m.NAME", "adam.v.NAME"), the latent activity counters
// ("tokens_since_fired", "window_fires") and, as metadata, the step reached, the input scale and the
// run's options that must not change on resume. Written atomically.
#pragma once
#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/sae/sae.h"
#include "core/train/adamw.h"

namespace loupe::sae {

// Everything a run needs besides the weights and the optimizer to continue exactly.
struct TrainingState {
  int64_t step = 0;               // steps done
  double input_scale = 1.0;
  torch::Tensor tokens_since_fired;  // [d_sae] int64
  torch::Tensor window_fires;        // [d_sae] int64: tokens each latent fired on in the statistics window
  int64_t window_tokens = 0;
  double window_explained_variance = 0, window_mse = 0, window_l0 = 0;  // sums over the window's steps
  int64_t window_steps = 0;
};

void save_sae_checkpoint(const std::string& path, const Sae& sae, const train::AdamW& optimizer, const TrainingState& state,
                         const nlohmann::json& run_options);

// The run options a checkpoint was made with (to compare before loading tensors): a JSON object.
// Throws FormatError naming the file when the metadata is absent, malformed or not an object.
nlohmann::json read_checkpoint_options(const std::string& path);

// Restores weights (in place, keeping requires_grad), optimizer moments and state. Throws FormatError
// naming the file and the tensor or metadata field that is missing, mis-shaped, of the wrong dtype
// or type, not finite, or out of range (a step above `max_step`, negative counters or second moments).
void load_sae_checkpoint(const std::string& path, int64_t max_step, Sae& sae, train::AdamW& optimizer,
                         TrainingState& state);

}  // namespace loupe::sae
