#include "core/study/gendered_prefix.h"

#include "core/model/inputs.h"

namespace loupe::study {

GenderedPrefix gendered_prefix(const model::VlmImpl& model, const text::Tokenizer& tokenizer, const model::VlmInputs& prompt,
                               const torch::Tensor& pixels, const model::CaptionOptions& options) {
  model::Session session;
  GenderedPrefix prefix;
  prefix.caption = model::caption_images(model, tokenizer, pixels, options, session)[0];
  prefix.gendered = gendered_step(tokenizer, prefix.caption.tokens, options.lang);
  if (prefix.gendered) {
    const auto& tokens = prefix.caption.tokens;
    prefix.inputs = model::with_answer(prompt, std::vector<int64_t>(tokens.begin(), tokens.begin() + int64_t(prefix.gendered->step)));
  }
  return prefix;
}

}  // namespace loupe::study
