// The Study panel's analyses: `loupe analyze probe`, `rank`, `summary`, `lens` and `features` of
// the open workspace (study::layer_analysis_logged, layer_summary_logged, logit_lens_logged,
// feature_analysis_logged: logged in runs.jsonl, written to W/analyses/NAME/), as jobs. Torch-free
// interface.
#pragma once
#include <string>

#include "core/jobs/job.h"
#include "ui/live/live_types.h"

namespace loupe::ui {

struct AnalysisInputs {
  std::string workspace;
  std::string analysis = "probe";  // probe | rank | summary | lens | features
  std::string sae;                 // features: the SAE (saes/NAME)
  std::string store = "acts";
  std::string hooks;               // comma-separated; empty: every hook of the store
  std::string split;               // empty: every entry (lens: a split is needed, its rows are captioned)
  int64_t limit = 0;               // lens: the split's first rows (0: all)
  std::string name = "layers";
};

// `model`: the loaded model, which the lens captions with (the other analyses read the store
// only). Throws InputError for another analysis word, a lens without a split or model, and what
// the analysis throws. The result line names the table written.
jobs::JobResult run_analysis(const AnalysisInputs& inputs, const LoadedModel* model, jobs::JobContext& job);

}  // namespace loupe::ui
