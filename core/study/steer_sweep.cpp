#include "core/study/steer_sweep.h"

#include <algorithm>

#include "core/error.h"
#include "core/model/caption.h"
#include "core/model/inputs.h"
#include "core/study/steering.h"
#include "core/synth/captions.h"
#include "core/text/prompt.h"
#include "core/text/token_type.h"

namespace loupe::study {

namespace {

// Logits of at most about this many bytes per scoring pass.
constexpr int64_t kScoringLogitBytes = int64_t(1) << 30;

// Σ log p of each row's tokens after the prompt, teacher-forced with no hook. `prompt` is the
// prompt of one image [1, T] (every image's has the same tokens), `pixels` [R, 3, S, S] row r's
// image. Rows are right-padded to the longest and run a few at a time: padding comes after a row's
// tokens, so causal attention keeps it out of their logits.
std::vector<double> log_likelihoods(const model::VlmImpl& model, const model::VlmInputs& prompt, const torch::Tensor& pixels,
                                    const std::vector<const std::vector<int64_t>*>& tokens) {
  const int64_t length = prompt.input_ids.size(1), rows = int64_t(tokens.size());
  size_t longest = 0;
  for (const auto* row : tokens) longest = std::max(longest, row->size());
  std::vector<double> sums(tokens.size(), 0.0);
  if (longest == 0) return sums;
  const auto n = int64_t(longest);
  const int64_t row_bytes = (length + n) * model.config.text.vocab * int64_t(sizeof(float));
  const int64_t per_pass = std::max<int64_t>(1, kScoringLogitBytes / std::max<int64_t>(1, row_bytes));
  for (int64_t first = 0; first < rows; first += per_pass) {
    const int64_t count = std::min(per_pass, rows - first);
    std::vector<int64_t> padded(size_t(count * n), 0);
    for (int64_t r = 0; r < count; ++r)
      std::copy(tokens[size_t(first + r)]->begin(), tokens[size_t(first + r)]->end(), padded.begin() + r * n);
    const torch::Tensor answer = torch::tensor(padded, torch::kInt64).view({count, n});  // [count, n]
    model::VlmInputs inputs;
    inputs.input_ids = torch::cat({prompt.input_ids.expand({count, length}), answer.to(prompt.input_ids.device())}, 1);
    inputs.token_type_ids = torch::cat(
        {prompt.token_type_ids.expand({count, length}), torch::full({count, n}, kTextToken, prompt.token_type_ids.options())}, 1);
    inputs.pixel_values = pixels.narrow(0, first, count);
    model::Session session;
    const torch::Tensor logits = model.forward(inputs, session).narrow(1, length - 1, n);  // [count, n, vocab]
    const torch::Tensor log_p = logits.to(torch::kCPU, torch::kFloat64).log_softmax(-1).gather(2, answer.unsqueeze(2)).squeeze(2);
    for (int64_t r = 0; r < count; ++r)
      sums[size_t(first + r)] = log_p[r].narrow(0, 0, int64_t(tokens[size_t(first + r)]->size())).sum().item<double>();
  }
  return sums;
}

SweepCaption scored(const model::Caption& caption, Language lang, const std::map<std::string, std::string>& labels,
                    double likelihood) {
  SweepCaption out;
  out.text = caption.text;
  out.tokens = caption.tokens;
  out.gender = eval::infer_gender(caption.text, lang).gender;
  out.log_likelihood = likelihood;
  const synth::ParsedCaption parsed = synth::parse_caption(caption.text, lang);
  if (const auto scene = labels.find("scene"); scene != labels.end() && !scene->second.empty())
    out.scene_kept = parsed.scene && scene->second == synth::scene_name(*parsed.scene);
  if (const auto activity = labels.find("activity"); activity != labels.end() && !activity->second.empty())
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
  return steer_sweeps(model, tokenizer, request, {{request.image, request.labels}}, job).front();
}

std::vector<SweepResult> steer_sweeps(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                                      const SweepRequest& request, const std::vector<SweepImage>& images,
                                      const jobs::JobContext* job) {
  if (request.set.empty()) throw InputError("the steering set holds no steer");
  if (request.langs.empty()) throw InputError("name at least one language to caption in");
  if (images.empty()) throw InputError("a sweep needs at least one image");
  const std::vector<Steer> steers = steers_of(request.set, model.config);
  const int64_t steps = request.alphas.empty() ? 1 : int64_t(request.alphas.size());
  const int64_t copies = 1 + steps;  // per image: row 0 the baseline, row 1 + s step s
  std::vector<torch::Tensor> pixels;  // each [1, 3, S, S]
  for (const SweepImage& image : images) pixels.push_back(model::image_pixels(model.config, image.image));
  const torch::Tensor batch = torch::cat(pixels).repeat_interleave(copies, 0);  // [images · copies, 3, S, S]

  std::vector<SweepResult> results(images.size());
  for (SweepResult& result : results) {
    result.langs = request.langs;
    result.steps.resize(size_t(steps));
    for (int64_t s = 0; s < steps; ++s)
      if (!request.alphas.empty()) result.steps[size_t(s)].alpha = request.alphas[size_t(s)];
  }
  for (const Language lang : request.langs) {
    const model::VlmInputs prompt = model::caption_prompt(model, tokenizer, text::caption_question(lang), pixels.front());
    model::Session session;
    for (size_t i = 0; i < images.size(); ++i)
      for (int64_t s = 0; s < steps; ++s)
        for (Steer steer : steers) {
          if (!request.alphas.empty()) steer.alpha = request.alphas[size_t(s)];
          add_steer(steer, prompt.token_type_ids, request.max_new_tokens, model.device(), model.dtype(), session.hooks,
                    {int64_t(i) * copies + 1 + s});
        }
    const model::CaptionOptions options{lang, request.max_new_tokens, job};
    const auto captions = model::caption_images(model, tokenizer, batch, options, session);
    if (job) job->throw_if_cancelled();
    std::vector<const std::vector<int64_t>*> tokens;
    for (const model::Caption& caption : captions) tokens.push_back(&caption.tokens);
    const std::vector<double> likelihood = log_likelihoods(model, prompt, batch, tokens);
    for (size_t i = 0; i < images.size(); ++i) {
      const size_t row = i * size_t(copies);
      results[i].baseline.push_back(scored(captions[row], lang, images[i].labels, likelihood[row]));
      for (int64_t s = 0; s < steps; ++s)
        results[i].steps[size_t(s)].captions.push_back(
            scored(captions[row + 1 + size_t(s)], lang, images[i].labels, likelihood[row + 1 + size_t(s)]));
    }
  }
  return results;
}

}  // namespace loupe::study
