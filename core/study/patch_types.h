// The requests and results of activation patching's study layer (core/study/patch_study.h,
// core/study/patched_captions.h), torch-free: the desktop app's panels hold them.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/text/position_selector.h"
#include "core/util/language.h"
#include "core/util/table.h"

namespace loupe::study {

enum class PatchMetric { GenderLogitDiff, TargetLogprob };
enum class PatchMethod { Exact, Attribution, Both };
PatchMetric parse_patch_metric(const std::string& word);  // gender-logit-diff, target-logprob
PatchMethod parse_patch_method(const std::string& word);  // exact, attribution, both
const char* patch_metric_word(PatchMetric metric);
const char* patch_method_word(PatchMethod method);

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

// One cell of a sweep, for patched_continuations.
struct PatchCell {
  int64_t layer = 0;
  int64_t position = 0;  // absolute, in the sweep's sequence (its table's `position`)
};

struct PatchedContinuation {
  Language lang = Language::English;
  std::string prefix;                   // the clean caption before its first gendered word
  // Whole captions, the prefix and what follows it: the clean image's, the corrupted run's, the
  // corrupted run's with the cell restored.
  std::string clean, corrupt, patched;
  std::string unavailable;              // non-empty: why this language has no patched run
};

}  // namespace loupe::study
