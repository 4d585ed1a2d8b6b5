#include "core/study/patch_study.h"

#include <cmath>

#include "core/analysis/statistics.h"
#include "core/error.h"
#include "core/intervene/patching.h"
#include "core/model/caption.h"
#include "core/model/inputs.h"
#include "core/study/gendered_prefix.h"
#include "core/text/prompt.h"
#include "core/text/token_type.h"

namespace loupe::study {

namespace {

const char* type_word(int8_t type) { return type == kImageToken ? "image" : type == kTextToken ? "text" : "template"; }

util::Table patch_table(PatchMethod method) {
  using util::ColumnType;
  std::vector<util::Column> columns = {{"layer", ColumnType::Integer},   {"position", ColumnType::Integer},
                                       {"type", ColumnType::Text},       {"token", ColumnType::Text},
                                       {"grid_row", ColumnType::Integer}, {"grid_col", ColumnType::Integer}};
  if (method != PatchMethod::Attribution) {
    columns.push_back({"metric", ColumnType::Real});
    columns.push_back({"restored", ColumnType::Real});
  }
  if (method != PatchMethod::Exact) {
    columns.push_back({"attribution", ColumnType::Real});
    columns.push_back({"attribution_restored", ColumnType::Real});
  }
  return util::Table(columns);
}

}  // namespace

PatchMetric parse_patch_metric(const std::string& word) {
  if (word == "gender-logit-diff") return PatchMetric::GenderLogitDiff;
  if (word == "target-logprob") return PatchMetric::TargetLogprob;
  throw InputError("--metric takes gender-logit-diff or target-logprob, not '" + word + "'");
}

PatchMethod parse_patch_method(const std::string& word) {
  if (word == "exact") return PatchMethod::Exact;
  if (word == "attribution") return PatchMethod::Attribution;
  if (word == "both") return PatchMethod::Both;
  throw InputError("--method takes exact, attribution or both, not '" + word + "'");
}

const char* patch_metric_word(PatchMetric metric) {
  return metric == PatchMetric::GenderLogitDiff ? "gender-logit-diff" : "target-logprob";
}

const char* patch_method_word(PatchMethod method) {
  return method == PatchMethod::Exact ? "exact" : method == PatchMethod::Attribution ? "attribution" : "both";
}

GenderPatch gender_patch_sweep(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                               const GenderPatchRequest& request, jobs::JobContext& job) {
  require_positions(request.positions, {"a patch sweep", /*pooled=*/false, /*last=*/true, /*list=*/true});
  const model::HookPoint site = intervene::patch_site(request.hook, model.config);
  if (site.vision)
    throw InputError("--hook must name a decoder block site (blocks.{l}....), not the vision tower's '" + request.hook + "'");
  job.set_stage("captioning the clean image");
  const torch::Tensor clean_pixels = model::image_pixels(model.config, request.clean_image);
  const torch::Tensor corrupt_pixels = model::image_pixels(model.config, request.corrupt_image);
  const model::VlmInputs prompt = model::caption_prompt(model, tokenizer, text::caption_question(request.lang), clean_pixels);
  const GenderedPrefix prefix = gendered_prefix(model, tokenizer, prompt, clean_pixels, {request.lang, request.max_new_tokens, &job});
  const model::Caption& caption = prefix.caption;
  const auto& gendered = prefix.gendered;
  if (!gendered)
    throw InputError("the clean caption '" + caption.text + "' names no gendered word with a one-token counterpart");

  // The prompt and the caption before the gendered word, with the clean and the corrupted image.
  const model::VlmInputs& clean = prefix.inputs;  // [1, T + s]
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

  // The metric of last-position logits [..., vocab] → [...], float64.
  const int64_t target_id = caption.tokens[gendered->step];
  const auto metric = [&](const torch::Tensor& logits) {
    const torch::Tensor value = request.metric == PatchMetric::GenderLogitDiff
                                    ? logits.select(-1, gendered->female_id) - logits.select(-1, gendered->male_id)
                                    : torch::log_softmax(logits, -1).select(-1, target_id);
    return value.to(torch::kFloat64);
  };
  GenderPatch result{caption.text, tokenizer.token_text(gendered->female_id), tokenizer.token_text(gendered->male_id),
                     tokenizer.token_text(target_id), 0, 0, patch_table(request.method), std::nullopt};
  torch::Tensor exact, attribution;  // [layers, positions] float64: patched metric; estimated patched − corrupt
  if (request.method != PatchMethod::Attribution) {
    job.set_stage("patching");
    patch.readout = metric;
    const intervene::PatchSweep sweep = intervene::patch_sweep(model, clean, corrupt, patch, job);
    result.clean_metric = sweep.clean.item<double>();
    result.corrupt_metric = sweep.corrupt.item<double>();
    exact = sweep.patched.to(torch::kCPU).contiguous();
  }
  if (request.method != PatchMethod::Exact) {
    const intervene::AttributionPatch estimate = intervene::attribution_patch(model, clean, corrupt, patch, metric, job);
    result.clean_metric = estimate.clean_metric;
    result.corrupt_metric = estimate.corrupt_metric;
    attribution = estimate.attribution.contiguous();
  }

  const double span = result.clean_metric - result.corrupt_metric;
  const auto share = [&](double change) { return span != 0 ? util::Cell(change / span) : util::Cell(); };
  const torch::Tensor ids = clean.input_ids.reshape({-1}).to(torch::kCPU);
  std::vector<double> exact_changes, estimated_changes;
  for (int64_t l = 0; l < model.config.text.layers; ++l)
    for (size_t i = 0; i < patch.positions.size(); ++i) {
      const int64_t p = patch.positions[i];
      const int64_t k = image_index[size_t(p)];
      const bool on_grid = k >= 0 && side * side == image_tokens;
      std::vector<util::Cell> row = {l, p, std::string(type_word(types[size_t(p)])),
                                     tokenizer.token_text(ids[p].item<int64_t>()),
                                     on_grid ? util::Cell(k / side) : util::Cell(), on_grid ? util::Cell(k % side) : util::Cell()};
      if (exact.defined()) {
        const double value = exact[l][int64_t(i)].item<double>();
        exact_changes.push_back(value - result.corrupt_metric);
        row.push_back(value);
        row.push_back(share(value - result.corrupt_metric));
      }
      if (attribution.defined()) {
        const double change = attribution[l][int64_t(i)].item<double>();
        estimated_changes.push_back(change);
        row.push_back(change);
        row.push_back(share(change));
      }
      result.table.add_row(row);
    }
  if (exact.defined() && attribution.defined()) result.rank_correlation = analysis::spearman(exact_changes, estimated_changes);
  return result;
}

}  // namespace loupe::study
