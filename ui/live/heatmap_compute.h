// The live worker's heatmap: the panel's HeatmapSpec turned into core/study's inputs (the SAE from
// a bounded cache), computed by study::compute_heatmap. Torch; ui/live only.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <string>

#include "core/sae/sae.h"
#include "core/study/heatmap.h"
#include "ui/live/live_types.h"
#include "ui/live/lru_cache.h"

namespace loupe::ui {

using SaeCache = LruCache<std::shared_ptr<const sae::Sae>>;  // SAE folder → SAE

// The hook to capture for a spec (study::heatmap_capture_point).
model::HookPoint heatmap_capture_point(const HeatmapSpec& spec, const io::ModelConfig& config);

// Errors (an SAE that does not load, and those of study::compute_heatmap) come back in
// Heatmap::error, not as exceptions.
Heatmap compute_heatmap(const HeatmapSpec& spec, const model::HookPoint& point, const model::HookSet& hooks,
                        const torch::Tensor& token_types, int64_t caption_tokens, SaeCache& sae_cache);

}  // namespace loupe::ui
