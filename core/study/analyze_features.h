// `loupe analyze features` and the desktop app's feature browser: the feature analysis of one of a
// workspace's SAEs over one of its stores, written to analyses/NAME/ (latents.csv, latents.json,
// summary.json; core/analysis/feature_report.h).
#pragma once
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/analysis/feature_analysis.h"
#include "core/analysis/feature_summary.h"
#include "core/jobs/job.h"
#include "core/store/store_entries.h"
#include "core/text/tokenizer.h"

namespace loupe::study {

struct FeatureAnalysisRequest {
  std::filesystem::path workspace;
  std::string sae;    // saes/NAME
  std::string store;  // stores/NAME; empty: the store the SAE was trained on, else "acts"
  analysis::GenderGrouping grouping = analysis::GenderGrouping::Caption;
  std::string split;  // empty: every entry; else any name io::canonical_split takes
  std::optional<double> align_threshold;
  std::string out;  // analyses/NAME; empty: the SAE's name
  std::string device = "cpu";
  bool logit_effects = true;  // the decoder's effects on the logits (loads the model)
  bool code_rank = false;     // analysis::FeatureAnalysisRequest::code_rank
};

// Every name and file checked before any work: the workspace, the SAE, the store, the output name.
struct PreparedFeatureAnalysis {
  FeatureAnalysisRequest request;
  std::filesystem::path sae_folder, store_folder, out_folder, model_folder;
  nlohmann::json parameters;  // for runs.jsonl
};

struct FeatureAnalysisResult {
  std::filesystem::path folder;  // analyses/NAME
  analysis::FeatureSummary summary;
  nlohmann::ordered_json summary_json;  // what summary.json holds
};

PreparedFeatureAnalysis prepare_feature_analysis(const FeatureAnalysisRequest& request);

// The analysis with what its writers need beside it: the store's entries and the tokenizer that
// decodes the logit-effect tokens (null without logit effects).
struct AnalyzedFeatures {
  analysis::FeatureAnalysis analysis;
  store::StoreEntries entries;
  std::shared_ptr<const text::Tokenizer> tokenizer;
};

// Loads the SAE, the store and (for logit effects on decoder hooks of the model's width) the model's
// unembedding, and analyses; writes nothing.
AnalyzedFeatures analyze_prepared(const PreparedFeatureAnalysis& prepared, jobs::JobContext& job);

// analyze_prepared, then replaces analyses/NAME with the three files in one rename: a failed run
// leaves what was there before.
FeatureAnalysisResult run_feature_analysis(const PreparedFeatureAnalysis& prepared, jobs::JobContext& job);

// As a workspace runs it (`loupe analyze features` and the desktop app's Study panel): prepared,
// logged in runs.jsonl with its parameters, inputs and counts, its message ("N latents (D dead),
// alignment ratio ..."). Throws what prepare_feature_analysis and run_feature_analysis throw.
struct LoggedFeatureAnalysis {
  FeatureAnalysisResult result;
  std::string message;
};
LoggedFeatureAnalysis feature_analysis_logged(const FeatureAnalysisRequest& request, jobs::JobContext& job);

// A share or coefficient with three decimals, "n/a" when empty (the run's message, the CLI's lists).
std::string three_decimals(const std::optional<double>& value);

}  // namespace loupe::study
