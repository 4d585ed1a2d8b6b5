#include "core/study/caption_study.h"

#include "core/error.h"
#include "core/model/caption.h"
#include "core/model/inputs.h"
#include "core/study/traced_caption.h"
#include "core/text/prompt.h"

namespace loupe::study {

std::vector<CaptionedImage> caption(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                                    const CaptionRequest& request, jobs::JobContext& job) {
  if (request.images.empty()) throw InputError("name at least one image to caption");
  job.set_total(int64_t(request.images.size()));
  job.set_stage("reading images");
  std::vector<torch::Tensor> pixels;  // each [1, 3, S, S]
  for (const auto& image : request.images) pixels.push_back(model::image_pixels(model.config, image));

  model::Session session;
  session.hooks.set_adapter(request.adapter);
  if (!request.steers.empty()) {  // every captioning prompt has the same token types
    const model::VlmInputs prompt =
        model::caption_prompt(model, tokenizer, text::caption_question(request.lang), pixels.front());
    for (const Steer& steer : request.steers)
      add_steer(steer, prompt.token_type_ids, request.max_new_tokens, model.device(), model.dtype(), session.hooks);
  }
  job.set_stage("captioning");
  std::vector<CaptionedImage> out;
  if (request.choices) {
    for (size_t i = 0; i < request.images.size(); ++i) {
      const TracedCaption traced =
          trace_caption(model, tokenizer, pixels[i], request.lang, request.max_new_tokens, session, &job);
      CaptionedImage captioned{request.images[i], traced.caption.text, {}, traced.caption.tokens};
      for (const TokenChip& chip : traced.caption.tokens) captioned.tokens.push_back(chip.id);
      out.push_back(std::move(captioned));
      job.advance(1, request.images[i]);
    }
    return out;
  }
  model::CaptionOptions options;
  options.lang = request.lang;
  options.max_new_tokens = request.max_new_tokens;
  options.job = &job;
  const auto captions = model::caption_images(model, tokenizer, torch::cat(pixels), options, session);
  for (size_t i = 0; i < request.images.size(); ++i)
    out.push_back({request.images[i], captions[i].text, captions[i].tokens, {}});
  job.advance(int64_t(request.images.size()));
  return out;
}

}  // namespace loupe::study
