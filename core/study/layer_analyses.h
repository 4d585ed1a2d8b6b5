// `loupe analyze probe` and `loupe analyze rank`: per hook of a store and per language, what its
// pooled entry vectors encode (core/analysis/layer_probes.h), as result tables written to
// W/analyses/NAME/probe.{csv,json} and rank.{csv,json}.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/analysis/layer_probes.h"
#include "core/jobs/job.h"
#include "core/util/language.h"
#include "core/util/table.h"

namespace loupe::study {

struct LayerAnalysisRequest {
  std::filesystem::path workspace;
  std::string store = "acts";       // stores/NAME
  std::vector<std::string> hooks;   // empty: every hook of the store
  std::string split;                // empty: every entry; else entries whose `split` label is this
  // Probes only:
  std::vector<std::string> targets = {"figure", "caption", "language"};
  double C = 1.0;
  int64_t folds = 5;
  uint64_t seed = 0;
  // When set, each probe is fit on the entries of `split` (empty: of every other split) and scored
  // on this split's entries instead of by k-fold cross-validation: whether what it reads carries
  // over, e.g. from the stereotyped train split to the counter-stereotypical one.
  std::string test_split;
  // When set, every probe's inputs are written there (safetensors: x.I [n, d] float64, y.I and
  // fold.I [n] int64 for table row I), for scripts/check-probe-sklearn.py.
  std::filesystem::path export_data;
};

// The pooled vectors of the entries in `lang` (nullopt: every language) and `split` (a canonical
// split name; empty: every split).
struct PooledSelection {
  torch::Tensor vectors;         // [m, d] float64
  std::vector<int64_t> entries;  // their store entries
};
PooledSelection select_pooled(const analysis::PooledVectors& pooled, const store::StoreEntries& entries,
                              std::optional<Language> lang, const std::string& split);

// Probe accuracy per hook, target and language (figure and caption targets: en and ar; the
// language target: both). Columns: hook, target, lang, entries, positives, negatives, folds,
// accuracy_mean, accuracy_std, tested_on ("folds", or the test split: then folds is 0, entries
// count both splits, accuracy_mean is the test split's accuracy and accuracy_std 0). Throws
// InputError naming the hook, target and language for a class with fewer entries than folds (a
// degenerate class included), a test split without entries or a training set of one class, an
// unknown target or hook, a store without the figure labels the figure target needs.
util::Table layer_probes(const LayerAnalysisRequest& request, jobs::JobContext& job);

// Effective rank per hook: hook, entries_en, entries_ar, rank_en, rank_ar, rank_difference,
// information_en, information_ar, information_difference (English minus Arabic). A language with
// fewer than 2 entries leaves its cells and the differences empty.
util::Table layer_ranks(const LayerAnalysisRequest& request, jobs::JobContext& job);

}  // namespace loupe::study
