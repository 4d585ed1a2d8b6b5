// `loupe analyze summary`: the per-layer table a study's experiment tracker logs, one row per SAE of
// the workspace (each over the store it was trained on, as `loupe analyze features` reads it),
// written to W/analyses/NAME/summary.{csv,json}.
#pragma once
#include <filesystem>
#include <optional>
#include <string>

#include "core/analysis/feature_analysis.h"
#include "core/jobs/job.h"
#include "core/util/table.h"

namespace loupe::study {

struct LayerSummaryRequest {
  std::filesystem::path workspace;
  analysis::GenderGrouping grouping = analysis::GenderGrouping::Caption;
  std::string split;  // empty: every entry
  std::optional<double> align_threshold;
  std::string device = "cpu";
};

// Columns, per SAE (sorted by layer, then name): sae, store, hook, layer, latents, vectors_en,
// vectors_ar, l0_en, l0_ar, dead_en, dead_ar, mean_activation_en, mean_activation_ar, rank_en,
// rank_ar, rank_difference, information_en, information_ar, information_difference, active_both,
// aligned, alignment_ratio, aligned_similarity, gender_bias_correlation. The ranks are of the
// entries' latent values (analysis::FeatureAnalysis::code_rank); differences are English minus
// Arabic. A figure a language cannot give (no vectors, fewer than 2 entries) is an empty cell.
// Throws InputError for a workspace without SAEs, and whatever `analyze features` throws for any
// SAE (naming it): the table is all or nothing.
util::Table layer_summary(const LayerSummaryRequest& request, jobs::JobContext& job);

}  // namespace loupe::study
