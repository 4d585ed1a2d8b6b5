#include "core/study/patched_captions.h"

#include <algorithm>

#include "core/error.h"
#include "core/intervene/patching.h"
#include "core/model/generate.h"
#include "core/model/inputs.h"
#include "core/study/gendered_prefix.h"
#include "core/text/prompt.h"
#include "core/text/token_type.h"

namespace loupe::study {

namespace {

// The caption `prefix` continued greedily from `inputs` [1, T] (the prompt and the prefix) under
// the session's hooks, decoded whole.
std::string continue_greedily(const model::VlmImpl& model, const text::Tokenizer& tokenizer, model::Session& session,
                              const model::VlmInputs& inputs, std::vector<int64_t> prefix, int64_t max_new_tokens,
                              const jobs::JobContext& job) {
  model::GenerateOptions options;
  options.max_new_tokens = max_new_tokens;
  options.stop_ids = model.config.eos_ids;
  options.job = &job;
  session.reset();
  const std::vector<int64_t> generated = model::generate(model, session, inputs, options).tokens[0];
  prefix.insert(prefix.end(), generated.begin(), generated.end());
  return tokenizer.decode(prefix, true);
}

// The absolute positions of the image tokens of `inputs` [1, T], in order.
std::vector<int64_t> image_positions(const model::VlmInputs& inputs) {
  const torch::Tensor types = inputs.token_type_ids.reshape({-1}).to(torch::kCPU, torch::kLong);
  std::vector<int64_t> positions;
  for (int64_t p = 0; p < types.size(0); ++p)
    if (types[p].item<int64_t>() == kImageToken) positions.push_back(p);
  return positions;
}

struct Target {
  Language lang;
  int64_t position;     // absolute; the cell's own in the sweep's language
  int64_t image_index;  // the cell's image token, -1 when it is not one
};

PatchedContinuation one_language(const model::VlmImpl& model, const text::Tokenizer& tokenizer, const GenderPatchRequest& sweep,
                                 const model::HookPoint& point, Target& target, jobs::JobContext& job) {
  PatchedContinuation out;
  out.lang = target.lang;
  const torch::Tensor clean_pixels = model::image_pixels(model.config, sweep.clean_image);  // [1, 3, S, S]
  const model::VlmInputs prompt = model::caption_prompt(model, tokenizer, text::caption_question(target.lang), clean_pixels);
  const GenderedPrefix prefix = gendered_prefix(model, tokenizer, prompt, clean_pixels, {target.lang, sweep.max_new_tokens, &job});
  const auto& tokens = prefix.caption.tokens;
  if (!prefix.gendered && target.lang == sweep.lang)
    throw InputError("the clean caption '" + prefix.caption.text + "' names no gendered word with a one-token counterpart");
  if (!prefix.gendered) {
    out.unavailable = "the clean caption '" + prefix.caption.text + "' names no gendered word with a one-token counterpart";
    return out;
  }
  const std::vector<int64_t> before(tokens.begin(), tokens.begin() + int64_t(prefix.gendered->step));
  out.prefix = tokenizer.decode(before, true);
  out.clean = prefix.caption.text;

  const model::VlmInputs& clean = prefix.inputs;  // [1, T + step]
  model::VlmInputs corrupt = clean;
  corrupt.pixel_values = model::image_pixels(model.config, sweep.corrupt_image);
  const int64_t remaining = sweep.max_new_tokens - int64_t(prefix.gendered->step);
  model::Session session;
  out.corrupt = continue_greedily(model, tokenizer, session, corrupt, before, remaining, job);

  const std::vector<int64_t> images = image_positions(clean);
  if (target.lang == sweep.lang) {
    if (target.position < 0 || target.position >= clean.input_ids.size(1))
      throw InputError("position " + std::to_string(target.position) + " is not in the sweep's " +
                       std::to_string(clean.input_ids.size(1)) + "-token sequence");
    const auto found = std::find(images.begin(), images.end(), target.position);
    target.image_index = found == images.end() ? -1 : int64_t(found - images.begin());
  } else if (target.image_index < 0 || target.image_index >= int64_t(images.size())) {
    out.unavailable = "a prompt or caption position exists only in the sweep's language; image positions map onto both";
    return out;
  } else {
    target.position = images[size_t(target.image_index)];
  }
  session.hooks.capture(point);
  session.reset();
  model.forward(clean, session);
  const torch::Tensor clean_activation = session.hooks.captured(point);  // [1, T + step, ...]
  session.hooks.clear();
  session.hooks.replace(point, clean_activation, {target.position});
  out.patched = continue_greedily(model, tokenizer, session, corrupt, before, remaining, job);
  return out;
}

}  // namespace

std::vector<PatchedContinuation> patched_continuations(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                                                       const GenderPatchRequest& sweep, const PatchCell& cell,
                                                       jobs::JobContext& job) {
  model::HookPoint point = intervene::patch_site(sweep.hook, model.config);
  if (point.vision) throw InputError("the sweep's hook must be a decoder block site, not '" + sweep.hook + "'");
  if (cell.layer < 0 || cell.layer >= model.config.text.layers)
    throw InputError("layer " + std::to_string(cell.layer) + " is not one of the model's " +
                     std::to_string(model.config.text.layers) + " layers");
  point.layer = cell.layer;
  torch::NoGradGuard no_grad;
  const Language other = sweep.lang == Language::English ? Language::Arabic : Language::English;
  job.set_stage("patched captions");
  Target target{sweep.lang, cell.position, -1};
  PatchedContinuation own = one_language(model, tokenizer, sweep, point, target, job);
  target.lang = other;  // the image index found in the sweep's sequence carries over
  return {own, one_language(model, tokenizer, sweep, point, target, job)};
}

}  // namespace loupe::study
