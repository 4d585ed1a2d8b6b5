// One image captioned in one language while the heatmap's hook is captured, then its heatmap:
// what `loupe heatmap` and the report's latent gallery (core/study/latent_gallery.h) draw.
#pragma once
#include <string>

#include "core/model/caption.h"
#include "core/model/vlm.h"
#include "core/study/heatmap.h"
#include "core/text/tokenizer.h"
#include "core/util/language.h"

namespace loupe::study {

struct CaptionedHeatmap {
  model::Caption caption;
  Heatmap map;  // map.error says why there is none
};

// Throws as image_pixels and caption_images do (an unreadable image, a cancelled job); an
// unknown hook is an InputError (heatmap_capture_point).
CaptionedHeatmap caption_heatmap(const model::VlmImpl& vlm, const text::Tokenizer& tokenizer, const std::string& image, Language lang,
                                 const HeatmapInputs& inputs, int64_t max_new_tokens);

}  // namespace loupe::study
