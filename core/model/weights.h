// Weight names and loading. Checkpoints spell the same weight several ways (fixtures README):
//   language_model.model.*, language_model.lm_head.weight   (the canonical names used here)
//   model.language_model.*, lm_head.weight                   (newer transformers saves)
//   vision_tower.vision_model.*, model.vision_tower.*, model.multi_modal_projector.*
#pragma once
#include <torch/torch.h>

#include <string>

#include "core/jobs/job.h"

namespace loupe::model {

// The canonical name of a stored weight name.
std::string canonical_weight_name(const std::string& stored);

// The module path transformers 5 gives a canonical name (what PEFT's adapter keys spell):
// language_model.model.X → model.language_model.X, vision_tower.X → model.vision_tower.vision_model.X,
// multi_modal_projector.X → model.multi_modal_projector.X, language_model.lm_head.X → lm_head.X.
std::string hf_module_path(const std::string& canonical);

// Fills every parameter of `module` (named canonically) from the safetensors in `folder`
// (single or sharded), converting dtype and device one tensor at a time and releasing the file's
// pages after each, so loading never holds two full copies. Parameters stop requiring grad.
// Throws ConfigError naming a missing weight or one whose shape differs (expected and found), and
// FormatError naming a weight that holds NaN or infinite values in the compute dtype.
// `job`, when given, counts one item per weight and is checked for cancellation between weights.
void load_weights(torch::nn::Module& module, const std::string& folder, jobs::JobContext* job = nullptr);

}  // namespace loupe::model
