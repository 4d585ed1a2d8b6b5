#include "core/study/caption_prompts.h"

#include "core/text/prompt.h"

namespace loupe::study {

void for_each_caption_prompt(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                             const std::vector<DatasetImage>& images, const std::vector<Language>& langs,
                             jobs::JobContext* job, const PromptVisitor& visit) {
  if (job) job->restart_count(int64_t(images.size()));
  for (const DatasetImage& image : images) {
    const torch::Tensor pixels = model::image_pixels(model.config, image.image);  // [1, 3, S, S]
    for (const Language lang : langs) {
      if (job) job->throw_if_cancelled();
      visit(image, lang, pixels, model::caption_prompt(model, tokenizer, text::caption_question(lang), pixels));
    }
    if (job) job->advance(1, image.image);
  }
}

}  // namespace loupe::study
