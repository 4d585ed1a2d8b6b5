// The figures of a trained SAE measured on vectors its training never drew from (docs/sae.md,
// Held-out figures): train_sae reports these for the final weights, beside the running figures of
// its last training steps.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>

#include "core/sae/sae.h"

namespace loupe::sae {

// Raw (unscaled) activation vectors kept out of training, read in chunks on demand.
struct HeldOutVectors {
  int64_t count = 0;
  std::function<torch::Tensor(int64_t begin, int64_t end)> read;  // [end - begin, d_in] float32
  nlohmann::json about = nlohmann::json::object();  // how they were chosen; the summary's "held_out" adds it
};

// In-memory held-out vectors [N, d_in], for tests and benchmarks.
HeldOutVectors tensor_held_out(torch::Tensor data);

struct SaeFigures {
  int64_t vectors = 0;
  double mse = 0;                 // mean over the vectors of Σ_d (x̂ - x)²
  double explained_variance = 0;  // 1 - Σ‖x̂ - x‖² / Σ‖x - x̄‖², x̄ the mean of all the vectors (SAELens)
  double l0 = 0;                  // mean active latents per vector
  int64_t dead_latents = 0;       // latents active on none of the vectors
  int64_t dense_latents = 0;      // latents active on more than dense_frequency of them
};

// Runs `sae` over every held-out vector in chunks of `chunk` on the SAE's device, accumulating in
// float64; `between_chunks` (may be empty) is called before each chunk, e.g. to honour a cancel.
// Throws InputError when there are no vectors or their width is not d_in.
SaeFigures measure_sae(const Sae& sae, const HeldOutVectors& vectors, int64_t chunk, double dense_frequency,
                       const std::function<void()>& between_chunks = {});

}  // namespace loupe::sae
