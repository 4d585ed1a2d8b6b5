#include "core/study/traced_caption.h"

#include <algorithm>

#include "core/model/generate.h"
#include "core/model/inputs.h"
#include "core/text/prompt.h"

namespace loupe::study {

namespace {

// A token as a chip shows it: SentencePiece's ▁ as a space, no leading space.
std::string chip_text(const text::Tokenizer& tokenizer, int64_t id) {
  std::string piece = tokenizer.token_text(id);
  for (size_t at; (at = piece.find("\xE2\x96\x81")) != std::string::npos;) piece.replace(at, 3, " ");  // ▁
  if (!piece.empty() && piece[0] == ' ') piece.erase(0, 1);
  return piece;
}

}  // namespace

TracedCaption trace_caption(const model::VlmImpl& model, const text::Tokenizer& tokenizer, const torch::Tensor& pixels,
                            Language lang, int64_t max_new_tokens, model::Session& session, const jobs::JobContext* job) {
  const model::VlmInputs prompt = model::caption_prompt(model, tokenizer, text::caption_question(lang), pixels);
  TracedCaption traced;
  traced.prompt_length = prompt.input_ids.size(1);
  traced.token_types = prompt.token_type_ids;
  model::GenerateOptions options;
  options.max_new_tokens = max_new_tokens;
  options.stop_ids = model.config.eos_ids;
  options.keep_step_logits = true;
  options.job = job;
  session.reset();
  const model::GenerateResult result = model::generate(model, session, prompt, options);

  const std::vector<int64_t>& tokens = result.tokens[0];
  traced.caption.lang = lang;
  traced.caption.text = tokenizer.decode(tokens, true);
  const torch::Tensor logits = result.step_logits[0];  // [steps, vocab]
  const torch::Tensor probabilities = logits.softmax(-1);
  const auto [top_p, top_i] = probabilities.topk(std::min<int64_t>(5, probabilities.size(-1)), -1);  // [steps, 5]
  for (size_t s = 0; s < tokens.size(); ++s) {
    TokenChip chip;
    chip.id = tokens[s];
    chip.text = chip_text(tokenizer, chip.id);
    chip.logit = logits[int64_t(s)][chip.id].item<float>();
    chip.probability = probabilities[int64_t(s)][chip.id].item<float>();
    for (int64_t k = 0; k < top_i.size(1); ++k)
      chip.top.push_back({chip_text(tokenizer, top_i[int64_t(s)][k].item<int64_t>()), top_p[int64_t(s)][k].item<float>()});
    traced.caption.tokens.push_back(std::move(chip));
  }
  return traced;
}

}  // namespace loupe::study
