#include "core/study/unembedding_direction.h"

#include <algorithm>

#include "core/error.h"
#include "core/model/hook_names.h"
#include "core/model/layers.h"

namespace loupe::study {

namespace {

struct WordForms {
  std::vector<int64_t> ids;
  nlohmann::json tokens = nlohmann::json::array();  // their spellings, for the provenance
};

// Every form of every word: `word` and `▁word`, those the vocabulary holds as one token.
WordForms forms_of(const text::Tokenizer& tokenizer, const std::vector<std::string>& words, const char* side) {
  if (words.empty()) throw InputError(std::string("an unembedding direction needs --") + side + " words");
  WordForms forms;
  for (const std::string& word : words) {
    bool found = false;
    for (const std::string& spelling : {word, text::kSentencePieceSpace + word}) {
      const std::optional<int64_t> id = tokenizer.find_token(spelling);
      if (!id) continue;
      forms.ids.push_back(*id);
      forms.tokens.push_back(spelling);
      found = true;
    }
    if (!found) throw InputError("--" + std::string(side) + " '" + word + "' is not one token of this model's vocabulary, with or without a leading ▁");
  }
  return forms;
}

}  // namespace

StoreDirection unembedding_direction(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                                     const UnembeddingDirectionRequest& request) {
  const io::TextConfig& text = model.config.text;
  StoreDirection direction;
  direction.hook = request.hook.empty() ? "blocks." + std::to_string(text.layers - 1) + ".hook_resid_post" : request.hook;
  const model::HookPoint point = model::parse_hook(direction.hook, model.config);
  if (point.vision || !model::site_traits(point.site).steerable || model::hook_width(point, model.config) != text.hidden)
    throw InputError(direction.hook + " is not a decoder hook of the residual stream's width (" + std::to_string(text.hidden) + ")");
  const WordForms toward = forms_of(tokenizer, request.toward, "toward");
  const WordForms away = forms_of(tokenizer, request.away, "away");
  for (int64_t id : toward.ids)
    if (std::count(away.ids.begin(), away.ids.end(), id))
      throw InputError("the token " + tokenizer.token_text(id) + " is on both sides of the direction");

  const torch::Tensor unembedding = model.language_model->unembedding().to(torch::kCPU, torch::kFloat64);  // [V, d]
  const auto mean_row = [&](const std::vector<int64_t>& ids) {
    return unembedding.index_select(0, torch::tensor(ids, torch::kInt64)).mean(0);  // [d]
  };
  const torch::Tensor gain = model::rms_gain(*model.language_model->model->norm);  // [d]
  direction.values = (gain * (mean_row(toward.ids) - mean_row(away.ids))).to(torch::kFloat32);
  direction.provenance = {{"kind", "unembedding"}, {"hook", direction.hook}, {"toward", toward.tokens}, {"away", away.tokens}};
  direction.description = "final norm gain ⊙ (W_U[" + toward.tokens.dump() + "] − W_U[" + away.tokens.dump() + "]), ‖d‖ = " +
                          std::to_string(direction.values.norm().item<double>());
  return direction;
}

}  // namespace loupe::study
