#include "core/study/caption_heatmap.h"

#include "core/model/inputs.h"
#include "core/text/prompt.h"

namespace loupe::study {

CaptionedHeatmap caption_heatmap(const model::VlmImpl& vlm, const text::Tokenizer& tokenizer, const std::string& image, Language lang,
                                 const HeatmapInputs& inputs, int64_t max_new_tokens) {
  const model::HookPoint point = heatmap_capture_point(inputs.hook, inputs.quantity, vlm.config);
  const torch::Tensor pixels = model::image_pixels(vlm.config, image);  // [1, 3, S, S]
  model::Session session;
  session.hooks.capture(point);
  model::CaptionOptions options;
  options.lang = lang;
  options.max_new_tokens = max_new_tokens;
  CaptionedHeatmap out;
  out.caption = model::caption_images(vlm, tokenizer, pixels, options, session)[0];
  const model::VlmInputs prompt = model::caption_prompt(vlm, tokenizer, text::caption_question(lang), pixels);
  out.map = compute_heatmap(inputs, point, session.hooks, prompt.token_type_ids, int64_t(out.caption.tokens.size()));
  return out;
}

}  // namespace loupe::study
