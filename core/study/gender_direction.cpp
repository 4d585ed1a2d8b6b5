#include "core/study/gender_direction.h"

#include <filesystem>

#include "core/error.h"
#include "core/eval/gender.h"
#include "core/model/caption.h"
#include "core/model/inputs.h"
#include "core/study/prompt_types.h"
#include "core/text/position_selector.h"
#include "core/text/prompt.h"

namespace loupe::study {

namespace {

// The hooked activation averaged over the prompt's image tokens (every position outside the decoder).
torch::Tensor image_token_mean(const torch::Tensor& captured, const model::HookPoint& point,
                               const model::VlmInputs& prompt) {
  torch::Tensor x = captured[0].to(torch::kFloat32);  // [P, d]
  if (!point.vision && point.site != model::Site::ProjectorOut)
    x = x.index_select(0, torch::tensor(select_positions(PositionSelector(PositionKind::Image),
                                                         prompt_types(prompt.token_type_ids)), torch::kInt64).to(x.device()));  // [I, d]
  return x.mean(0).cpu();  // [d]
}

}  // namespace

GenderDirection gender_direction(const model::VlmImpl& vlm, const text::Tokenizer& tokenizer,
                                 const GenderDirectionRequest& request, jobs::JobContext& job) {
  torch::NoGradGuard no_grad;
  const model::HookPoint point = model::parse_hook(request.hook, vlm.config);
  if (request.langs.empty()) throw InputError("name at least one prompt language (en, ar)");
  job.set_total(int64_t(request.images.size() * request.langs.size()));
  job.set_stage(request.label == GenderLabel::Figure ? "mean activation per image"
                                                     : "captioning and mean activation per image");
  std::vector<torch::Tensor> women, men;  // each [d]
  GenderDirection direction;
  model::Session session;
  for (const LabeledImage& image : request.images) {
    const torch::Tensor pixels = model::image_pixels(vlm.config, image.path).to(vlm.device(), vlm.dtype());  // [1,3,S,S]
    const std::string name = std::filesystem::path(image.path).filename().string();
    for (size_t l = 0; l < request.langs.size(); ++l) {
      job.throw_if_cancelled();
      const Language lang = request.langs[l];
      bool woman = image.woman;
      if (request.label == GenderLabel::Caption) {
        session.hooks.clear();
        model::CaptionOptions options;
        options.lang = lang;
        const auto caption = model::caption_images(vlm, tokenizer, pixels, options, session)[0];
        const eval::Gender said = eval::infer_gender(caption.text, lang).gender;
        job.log(name + " (" + language_code(lang) + "): \"" + caption.text + "\" → " + eval::gender_name(said));
        if (said != eval::Gender::Female && said != eval::Gender::Male) {
          ++direction.skipped;
          job.advance(1, image.path);
          continue;
        }
        woman = said == eval::Gender::Female;
      }
      const model::VlmInputs prompt = model::caption_prompt(vlm, tokenizer, text::caption_question(lang), pixels);
      session.reset();
      session.hooks.clear();
      session.hooks.capture(point);
      vlm.forward(prompt, session);
      (woman ? women : men).push_back(image_token_mean(session.hooks.captured(point), point, prompt));
      job.advance(1, image.path);
    }
  }
  if (women.empty() || men.empty())
    throw InputError("the gender direction needs at least one woman and one man sample (got " +
                     std::to_string(women.size()) + " and " + std::to_string(men.size()) + ")");
  direction.values = torch::stack(women).mean(0) - torch::stack(men).mean(0);  // [d]
  direction.women = int64_t(women.size());
  direction.men = int64_t(men.size());
  std::string langs;
  for (const auto& lang : request.langs) langs += (langs.empty() ? "" : "+") + std::string(language_code(lang));
  direction.description = "mean(woman) − mean(man) of " + request.hook + " over image tokens of the " + langs +
                          " prompts; " + std::to_string(direction.women) + " woman and " + std::to_string(direction.men) +
                          " man samples, labelled by " +
                          (request.label == GenderLabel::Figure ? "the figure shown" : "the model's own caption") +
                          (direction.skipped ? " (" + std::to_string(direction.skipped) + " captions stated no gender)" : "") +
                          "; |d| = " + std::to_string(direction.values.norm().item<float>());
  job.log(direction.description);
  return direction;
}

}  // namespace loupe::study
