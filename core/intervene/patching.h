// Activation patching: run the corrupted input with one layer's activation at one position taken
// from the clean run, for every layer and each chosen position, and read the last-position logits.
#pragma once
#include <torch/torch.h>

#include "core/model/vlm.h"

namespace loupe::intervene {

struct PatchSweep {
  torch::Tensor patched_last_logits;  // [layers, positions, vocab] float32
  torch::Tensor clean_last_logits;    // [vocab]
  torch::Tensor corrupt_last_logits;  // [vocab]
};

struct PatchRequest {
  model::Site site = model::Site::ResidPost;  // the block site patched at every layer
  bool vision = false;
  std::vector<int64_t> positions;             // absolute positions in the (shared) sequence
  int64_t batch = 16;                         // patched copies of the corrupted input per forward pass
};

// Both inputs are batch 1 with the same number of tokens. The patched runs of one layer go through
// the model as a batch of copies of the corrupted input, copy i patched at positions[i] only (one
// replace operation per batch row). The job counts one item per (layer, position) and may cancel.
// Throws InputError for a position past the sequence, inputs of different lengths or a batch
// below 1; Cancelled when the job is cancelled.
PatchSweep patch_sweep(const model::VlmImpl& model, const model::VlmInputs& clean, const model::VlmInputs& corrupt,
                       const PatchRequest& request, jobs::JobContext& job);

// Reads a layer-templated hook name such as "blocks.{l}.hook_resid_post" into its site.
model::HookPoint patch_site(const std::string& templated_name, const io::ModelConfig& config);

}  // namespace loupe::intervene
