// Heatmap values from what a caption run captured (torch; ui/live only). See docs/gui.md for
// which position each caption token's value comes from.
#pragma once
#include <torch/torch.h>

#include <map>
#include <memory>
#include <string>

#include "core/model/hooks.h"
#include "core/sae/sae.h"
#include "ui/live/live_types.h"

namespace loupe::ui {

// The hook to capture for a spec: the spec's hook, or for Attention that layer's attention pattern.
model::HookPoint heatmap_capture_point(const HeatmapSpec& spec, const io::ModelConfig& config);

// token_types [1, T] of the prompt; `caption_tokens` generated tokens. Errors (a direction of the
// wrong width, no SAE, a token past the caption) come back in Heatmap::error, not as exceptions.
Heatmap compute_heatmap(const HeatmapSpec& spec, const model::HookPoint& point, const model::HookSet& hooks,
                        const torch::Tensor& token_types, int64_t caption_tokens,
                        std::map<std::string, std::shared_ptr<const sae::Sae>>& sae_cache);

}  // namespace loupe::ui
