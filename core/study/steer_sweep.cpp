#include "core/study/steer_sweep.h"

#include "core/error.h"
#include "core/model/caption.h"
#include "core/model/inputs.h"
#include "core/study/steering.h"
#include "core/synth/captions.h"
#include "core/text/prompt.h"
#include "core/text/token_type.h"

namespace loupe::study {

namespace {

// Σ log p of `tokens` after the prompt, teacher-forced through the model with no hook.
double log_likelihood(const model::VlmImpl& model, const model::VlmInputs& prompt, const std::vector<int64_t>& tokens) {
  if (tokens.empty()) return 0;
  const int64_t length = prompt.input_ids.size(1);
  const auto n = int64_t(tokens.size());
  const torch::Tensor answer = torch::tensor(tokens, torch::kInt64).view({1, n}).to(prompt.input_ids.device());
  model::VlmInputs inputs;
  inputs.input_ids = torch::cat({prompt.input_ids, answer}, 1);  // [1, T + n]
  inputs.token_type_ids = torch::cat({prompt.token_type_ids, torch::full_like(answer, kTextToken)}, 1);
  inputs.pixel_values = prompt.pixel_values;
  model::Session session;
  const torch::Tensor logits = model.forward(inputs, session)[0].narrow(0, length - 1, n);  // [n, vocab]
  const torch::Tensor log_p = logits.to(torch::kFloat64).log_softmax(-1);
  return log_p.gather(1, answer[0].view({n, 1}).to(log_p.device())).sum().item<double>();
}

SweepCaption scored(const model::Caption& caption, Language lang, const SweepRequest& request, double likelihood) {
  SweepCaption out;
  out.text = caption.text;
  out.tokens = caption.tokens;
  out.gender = eval::infer_gender(caption.text, lang).gender;
  out.log_likelihood = likelihood;
  const synth::ParsedCaption parsed = synth::parse_caption(caption.text, lang);
  if (const auto scene = request.labels.find("scene"); scene != request.labels.end() && !scene->second.empty())
    out.scene_kept = parsed.scene && scene->second == synth::scene_name(*parsed.scene);
  if (const auto activity = request.labels.find("activity"); activity != request.labels.end() && !activity->second.empty())
    out.activity_kept = parsed.activity && activity->second == synth::activity_name(*parsed.activity);
  return out;
}

nlohmann::json caption_json(const SweepCaption& caption) {
  nlohmann::json out = {{"text", caption.text},
                        {"tokens", caption.tokens},
                        {"gender", eval::gender_name(caption.gender)},
                        {"log_likelihood", caption.log_likelihood}};
  out["scene_kept"] = caption.scene_kept ? nlohmann::json(*caption.scene_kept) : nlohmann::json();
  out["activity_kept"] = caption.activity_kept ? nlohmann::json(*caption.activity_kept) : nlohmann::json();
  return out;
}

}  // namespace

nlohmann::json SweepResult::to_json() const {
  nlohmann::json out = {{"baseline", nlohmann::json::object()}, {"steps", nlohmann::json::array()}};
  for (size_t l = 0; l < langs.size(); ++l) out["baseline"][language_code(langs[l])] = caption_json(baseline[l]);
  for (const SweepStep& step : steps) {
    nlohmann::json row = {{"alpha", step.alpha ? nlohmann::json(*step.alpha) : nlohmann::json()}};
    for (size_t l = 0; l < langs.size(); ++l) {
      const std::string code = language_code(langs[l]);
      const SweepCaption& caption = step.captions[l];
      row[code] = caption.text;
      row["gender_" + code] = eval::gender_name(caption.gender);
      row["scene_kept_" + code] = caption.scene_kept ? nlohmann::json(*caption.scene_kept) : nlohmann::json();
      row["activity_kept_" + code] = caption.activity_kept ? nlohmann::json(*caption.activity_kept) : nlohmann::json();
      row["log_likelihood_" + code] = caption.log_likelihood;
      row["tokens_" + code] = caption.tokens;
    }
    out["steps"].push_back(row);
  }
  return out;
}

SweepResult steer_sweep(const model::VlmImpl& model, const text::Tokenizer& tokenizer, const SweepRequest& request,
                        const jobs::JobContext* job) {
  if (request.set.empty()) throw InputError("the steering set holds no steer");
  if (request.langs.empty()) throw InputError("name at least one language to caption in");
  const std::vector<Steer> steers = steers_of(request.set, model.config);
  const torch::Tensor pixels = model::image_pixels(model.config, request.image);  // [1, 3, S, S]
  const int64_t steps = request.alphas.empty() ? 1 : int64_t(request.alphas.size());

  SweepResult result;
  result.langs = request.langs;
  result.steps.resize(size_t(steps));
  for (int64_t s = 0; s < steps; ++s)
    if (!request.alphas.empty()) result.steps[size_t(s)].alpha = request.alphas[size_t(s)];
  for (const Language lang : request.langs) {
    const model::VlmInputs prompt = model::caption_prompt(model, tokenizer, text::caption_question(lang), pixels);
    model::Session session;  // row 0: the baseline; row 1 + s: step s
    for (int64_t s = 0; s < steps; ++s)
      for (Steer steer : steers) {
        if (!request.alphas.empty()) steer.alpha = request.alphas[size_t(s)];
        add_steer(steer, prompt.token_type_ids, request.max_new_tokens, model.device(), model.dtype(), session.hooks, {1 + s});
      }
    const model::CaptionOptions options{lang, request.max_new_tokens, job};
    const auto captions = model::caption_images(model, tokenizer, pixels.repeat({1 + steps, 1, 1, 1}), options, session);
    const auto likelihood = [&](const model::Caption& caption) {
      if (job) job->throw_if_cancelled();
      return log_likelihood(model, prompt, caption.tokens);
    };
    result.baseline.push_back(scored(captions[0], lang, request, likelihood(captions[0])));
    for (int64_t s = 0; s < steps; ++s)
      result.steps[size_t(s)].captions.push_back(scored(captions[size_t(1 + s)], lang, request, likelihood(captions[size_t(1 + s)])));
  }
  return result;
}

}  // namespace loupe::study
