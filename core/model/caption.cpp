#include "core/model/caption.h"

#include "core/error.h"
#include "core/model/inputs.h"
#include "core/text/prompt.h"

namespace loupe::model {

std::vector<Caption> caption_images(const VlmImpl& model, const text::Tokenizer& tokenizer, const torch::Tensor& pixels,
                                    const CaptionOptions& options, Session& session) {
  const int64_t images = pixels.size(0);
  if (images == 0) throw InputError("there is no image to caption (pixels [0, ...])");
  VlmInputs one = caption_prompt(model, tokenizer, text::caption_question(options.lang), pixels.narrow(0, 0, 1));
  VlmInputs batch;
  batch.input_ids = one.input_ids.expand({images, -1}).contiguous();  // [N, T]
  batch.token_type_ids = one.token_type_ids.expand({images, -1}).contiguous();
  batch.pixel_values = pixels;

  GenerateOptions generate_options;
  generate_options.max_new_tokens = options.max_new_tokens;
  generate_options.stop_ids = model.config.eos_ids;
  generate_options.job = options.job;
  session.reset();
  const GenerateResult result = generate(model, session, batch, generate_options);
  std::vector<Caption> captions;
  for (const auto& tokens : result.tokens) captions.push_back({tokenizer.decode(tokens, true), tokens});
  return captions;
}

}  // namespace loupe::model
