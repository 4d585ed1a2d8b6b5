// Heatmap values from what a captioning run captured: one value per image patch (and per caption
// token) of an activation's norm, one SAE latent, the projection on a direction, or the attention
// from a caption token to the image. One computation for `loupe heatmap` and the desktop app.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "core/io/hf_config.h"
#include "core/io/image.h"
#include "core/model/hooks.h"
#include "core/sae/sae.h"
#include "core/study/heatmap_types.h"

namespace loupe::study {

struct HeatmapInputs {
  std::string hook;  // for Attention: any hook of the layer
  HeatQuantity quantity = HeatQuantity::Norm;
  std::string direction_name;            // Projection: for messages
  std::vector<float> direction;          // Projection: [d], normalised here
  std::shared_ptr<const sae::Sae> sae;   // Latent
  int64_t latent = 0;                    // Latent
  int caption_token = 0;                 // Attention: from this caption token (0-based)
};

// Hooks whose activations a norm, latent or projection map reads: all but the attention maps
// (scores, pattern: attention maps come from a layer's pattern through HeatQuantity::Attention)
// and the logits.
bool heatmap_reads(const model::HookPoint& point);

// The hook to capture: the inputs' hook, or for Attention that layer's attention pattern. Throws
// InputError for an unknown hook or an attention map outside the decoder.
model::HookPoint heatmap_capture_point(const std::string& hook, HeatQuantity quantity, const io::ModelConfig& config);

// token_types [1, T] of the prompt; `caption_tokens` generated tokens. Errors (a direction of the
// wrong width, no SAE, a token past the caption) come back in Heatmap::error, not as exceptions.
// Each caption token's value is read at the position whose output is that token.
Heatmap compute_heatmap(const HeatmapInputs& inputs, const model::HookPoint& point, const model::HookSet& hooks,
                        const torch::Tensor& token_types, int64_t caption_tokens);

// The map drawn over `image` as the desktop app draws it: values scaled to the map's range,
// coloured with the inferno colour map, blended with `opacity`, thin dark patch borders.
io::Image heatmap_overlay(const io::Image& image, const Heatmap& map, float opacity);

}  // namespace loupe::study
