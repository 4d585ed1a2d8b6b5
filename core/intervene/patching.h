// Activation patching: run the corrupted input with one layer's activation at one position taken
// from the clean run, for every layer and each chosen position, and read the last-position logits.
#pragma once
#include <torch/torch.h>

#include <atomic>
#include <functional>

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
  std::function<void(int64_t done, int64_t total)> on_progress;
  const std::atomic<bool>* cancel = nullptr;
};

// Both inputs are batch 1 with the same number of tokens. Throws InputError for a position past
// the sequence or inputs of different lengths, Cancelled when the flag is raised.
PatchSweep patch_sweep(model::VlmImpl& model, const model::VlmInputs& clean, const model::VlmInputs& corrupt,
                       const PatchRequest& request);

// Reads a layer-templated hook name such as "blocks.{l}.hook_resid_post" into its site.
model::HookPoint patch_site(const std::string& templated_name, const io::ModelConfig& config);

}  // namespace loupe::intervene
