// `loupe patch-sweep`: where the figure's gender enters the caption. The clean image is captioned;
// at its first gendered word (study::gendered_step), the prompt and the caption before that word
// run with the clean image and with the corrupted one (the same scene with the other figure), and
// every (layer, position) of a block site is restored from the clean run in turn
// (intervene::patch_sweep, batched), or estimated by attribution patching
// (intervene::attribution_patch, one backward pass), or both. Metric at the last position:
// logit(female word) − logit(male word), or the log-probability of the clean caption's gendered
// word; a cell's share restored is (patched − corrupt) / (clean − corrupt): 0 as corrupted, 1 as
// clean.
#pragma once
#include <optional>
#include <string>

#include "core/jobs/job.h"
#include "core/model/vlm.h"
#include "core/text/position_selector.h"
#include "core/text/tokenizer.h"
#include "core/util/language.h"
#include "core/util/table.h"

namespace loupe::study {

enum class PatchMetric { GenderLogitDiff, TargetLogprob };
enum class PatchMethod { Exact, Attribution, Both };
PatchMetric parse_patch_metric(const std::string& word);  // gender-logit-diff, target-logprob
PatchMethod parse_patch_method(const std::string& word);  // exact, attribution, both
const char* patch_metric_word(PatchMetric metric);

struct GenderPatchRequest {
  std::string clean_image, corrupt_image;
  Language lang = Language::English;
  std::string hook = "blocks.{l}.hook_resid_post";  // a block site, {l} for the layer
  PositionSelector positions;                       // all, image, text (the caption before the word), template, a list
  PatchMetric metric = PatchMetric::GenderLogitDiff;
  PatchMethod method = PatchMethod::Exact;
  int64_t max_new_tokens = 24;
  int64_t batch = 16;
};

struct GenderPatch {
  std::string caption;                 // the clean caption
  std::string female_word, male_word;  // the tokens compared
  std::string target_word;             // the clean caption's gendered word (target-logprob's token)
  double clean_metric = 0, corrupt_metric = 0;
  // layer, position, type (image, template, text), token, grid_row, grid_col (image positions on
  // the image's square grid of tokens), then with the exact sweep: metric (the patched run's),
  // restored; with attribution: attribution (the estimated patched − corrupt), attribution_restored.
  // Shares are empty when clean = corrupt.
  util::Table table;
  // Both methods: Spearman's rank correlation of the exact (patched − corrupt) with the attribution
  // over the cells; empty when either is constant.
  std::optional<double> rank_correlation;
};

// Throws InputError before the sweep for images of other sizes' prompts, a clean caption with no
// gendered word that has a one-token counterpart, positions that pick nothing.
GenderPatch gender_patch_sweep(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                               const GenderPatchRequest& request, jobs::JobContext& job);

}  // namespace loupe::study
