#include "core/study/patch_study.h"

#include <cmath>

#include "core/error.h"
#include "core/intervene/patching.h"
#include "core/model/caption.h"
#include "core/model/inputs.h"
#include "core/study/gender_tokens.h"
#include "core/text/prompt.h"
#include "core/text/token_type.h"

namespace loupe::study {

namespace {

const char* type_word(int8_t type) { return type == kImageToken ? "image" : type == kTextToken ? "text" : "template"; }

util::Table patch_table() {
  using util::ColumnType;
  return util::Table({{"layer", ColumnType::Integer},
                      {"position", ColumnType::Integer},
                      {"type", ColumnType::Text},
                      {"token", ColumnType::Text},
                      {"grid_row", ColumnType::Integer},
                      {"grid_col", ColumnType::Integer},
                      {"logit_diff", ColumnType::Real},
                      {"restored", ColumnType::Real}});
}

}  // namespace

GenderPatch gender_patch_sweep(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                               const GenderPatchRequest& request, jobs::JobContext& job) {
  require_positions(request.positions, {"a patch sweep", /*pooled=*/false, /*last=*/true, /*list=*/true});
  const model::HookPoint site = intervene::patch_site(request.hook, model.config);
  job.set_stage("captioning the clean image");
  const torch::Tensor clean_pixels = model::image_pixels(model.config, request.clean_image);
  const torch::Tensor corrupt_pixels = model::image_pixels(model.config, request.corrupt_image);
  const model::VlmInputs prompt = model::caption_prompt(model, tokenizer, text::caption_question(request.lang), clean_pixels);
  model::Session session;
  const model::Caption caption =
      model::caption_images(model, tokenizer, clean_pixels, {request.lang, request.max_new_tokens, &job}, session)[0];
  const auto gendered = gendered_step(tokenizer, caption.tokens, request.lang);
  if (!gendered)
    throw InputError("the clean caption '" + caption.text + "' names no gendered word with a one-token counterpart");

  // The prompt and the caption before the gendered word, with the clean and the corrupted image.
  const std::vector<int64_t> before(caption.tokens.begin(), caption.tokens.begin() + int64_t(gendered->step));
  const torch::Tensor prefix = torch::tensor(before, torch::kInt64).view({1, -1}).to(prompt.input_ids.device());
  model::VlmInputs clean;
  clean.input_ids = torch::cat({prompt.input_ids, prefix}, 1);  // [1, T + s]
  clean.token_type_ids = torch::cat({prompt.token_type_ids, torch::full_like(prefix, kTextToken)}, 1);
  clean.pixel_values = clean_pixels;
  model::VlmInputs corrupt = clean;
  corrupt.pixel_values = corrupt_pixels;

  // Token types as the positions words read them: the prompt's non-image tokens are template.
  const int64_t prompt_length = prompt.input_ids.size(1), length = clean.input_ids.size(1);
  const torch::Tensor model_types = clean.token_type_ids.reshape({-1}).to(torch::kCPU, torch::kLong);
  std::vector<int8_t> types(static_cast<size_t>(length));
  std::vector<int64_t> image_index(static_cast<size_t>(length), -1);
  int64_t image_tokens = 0;
  for (int64_t p = 0; p < length; ++p) {
    const bool image = model_types[p].item<int64_t>() == kImageToken;
    types[size_t(p)] = image ? int8_t(kImageToken) : p < prompt_length ? int8_t(kTemplateToken) : int8_t(kTextToken);
    if (image) image_index[size_t(p)] = image_tokens++;
  }
  intervene::PatchRequest patch;
  patch.site = site.site;
  patch.positions = select_positions(request.positions, types);
  patch.batch = request.batch;
  if (patch.positions.empty())
    throw InputError("the positions '" + positions_word(request.positions) + "' pick nothing in this " +
                     std::to_string(length) + "-token input");
  const int64_t side = int64_t(std::lround(std::sqrt(double(image_tokens))));

  job.set_stage("patching");
  const intervene::PatchSweep sweep = intervene::patch_sweep(model, clean, corrupt, patch, job);
  const auto difference = [&](const torch::Tensor& logits) {  // [..., vocab] → [...]
    return (logits.select(-1, gendered->female_id) - logits.select(-1, gendered->male_id)).to(torch::kFloat64);
  };
  GenderPatch result{caption.text, tokenizer.token_text(gendered->female_id), tokenizer.token_text(gendered->male_id),
                     difference(sweep.clean_last_logits).item<double>(),
                     difference(sweep.corrupt_last_logits).item<double>(), patch_table()};
  const torch::Tensor patched = difference(sweep.patched_last_logits).contiguous();  // [layers, positions]
  const double span = result.clean_diff - result.corrupt_diff;
  const torch::Tensor ids = clean.input_ids.reshape({-1}).to(torch::kCPU);
  for (int64_t l = 0; l < patched.size(0); ++l)
    for (size_t i = 0; i < patch.positions.size(); ++i) {
      const int64_t p = patch.positions[i];
      const int64_t k = image_index[size_t(p)];
      const bool on_grid = k >= 0 && side * side == image_tokens;
      const double value = patched[l][int64_t(i)].item<double>();
      result.table.add_row({l, p, std::string(type_word(types[size_t(p)])), tokenizer.token_text(ids[p].item<int64_t>()),
                            on_grid ? util::Cell(k / side) : util::Cell(), on_grid ? util::Cell(k % side) : util::Cell(),
                            value, span != 0 ? util::Cell((value - result.corrupt_diff) / span) : util::Cell()});
    }
  return result;
}

}  // namespace loupe::study
