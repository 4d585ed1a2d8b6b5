// Activation patching: run the corrupted input with one layer's activation at one position taken
// from the clean run, for every layer and each chosen position, and read the last-position logits.
// Attribution patching estimates the same grid from one forward and one backward pass.
#pragma once
#include <torch/torch.h>

#include <functional>

#include "core/model/vlm.h"

namespace loupe::intervene {

// What a sweep keeps of the last-position logits [B, vocab] float32: [B, ...].
using LogitReadout = std::function<torch::Tensor(const torch::Tensor& last_logits)>;

struct PatchSweep {
  torch::Tensor patched;  // [layers, positions, ...]: the readout of each patched run
  torch::Tensor clean;    // [...]: the clean run's
  torch::Tensor corrupt;  // [...]: the corrupted run's
};

struct PatchRequest {
  model::Site site = model::Site::ResidPost;  // the block site patched at every layer
  bool vision = false;
  std::vector<int64_t> positions;             // absolute positions in the (shared) sequence
  int64_t batch = 16;                         // patched copies of the corrupted input per forward pass
  LogitReadout readout;                       // empty: keep the logits, [vocab] a cell
};

// Both inputs are batch 1 with the same number of tokens. The patched runs of one layer go through
// the model as a batch of copies of the corrupted input, copy i patched at positions[i] only (one
// replace operation per batch row). Text sites reuse the corrupted run: the copies start at the
// patched layer from its residual stream (VlmImpl::resume), so neither the vision tower nor the
// layers before run again. The job counts one item per (layer, position) and may cancel.
// Throws InputError for a position past the sequence, inputs of different lengths or a batch
// below 1; Cancelled when the job is cancelled.
PatchSweep patch_sweep(const model::VlmImpl& model, const model::VlmInputs& clean, const model::VlmInputs& corrupt,
                       const PatchRequest& request, jobs::JobContext& job);

struct AttributionPatch {
  torch::Tensor attribution;  // [layers, positions] float64: the estimated metric(patched) − metric(corrupt)
  double clean_metric = 0, corrupt_metric = 0;
};

// Attribution patching: every cell of patch_sweep to first order,
//   attribution[l, i] = Σ (a_clean − a_corrupt)[l, positions[i]] · ∂metric/∂a[l, positions[i]],
// the gradient taken in the corrupted run and the sum over the activation's entries at that
// position. `metric` maps the last-position logits [vocab] float32 to a differentiable scalar.
// request.batch and request.readout are not used. The same input checks as patch_sweep.
AttributionPatch attribution_patch(const model::VlmImpl& model, const model::VlmInputs& clean,
                                   const model::VlmInputs& corrupt, const PatchRequest& request,
                                   const std::function<torch::Tensor(const torch::Tensor&)>& metric, jobs::JobContext& job);

// Reads a layer-templated hook name such as "blocks.{l}.hook_resid_post" into its site.
model::HookPoint patch_site(const std::string& templated_name, const io::ModelConfig& config);

}  // namespace loupe::intervene
