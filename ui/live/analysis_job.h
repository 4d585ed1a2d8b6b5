// The Study panel's analyses: `loupe analyze probe`, `rank`, `summary`, `lens`, `features` and
// `loupe eval-sae` of the open workspace (study::layer_analysis_logged, layer_summary_logged,
// logit_lens_logged, feature_analysis_logged, sae::evaluate_sae_logged: logged in runs.jsonl,
// written to W/analyses/NAME/ or W/saes/NAME/eval.json), as jobs. Torch-free interface.
#pragma once
#include <string>

#include "core/jobs/job.h"
#include "ui/live/live_types.h"

namespace loupe::ui {

struct AnalysisInputs {
  std::string workspace;
  std::string analysis = "probe";  // probe | rank | summary | lens | features | eval-sae
  std::string sae;                 // features, eval-sae: the SAE (saes/NAME)
  std::string store = "acts";
  std::string hooks;               // comma-separated; empty: every hook of the store
  std::string split;               // empty: every entry (lens: a split is needed, its rows are captioned)
  int64_t limit = 0;               // lens: the split's first rows (0: all); eval-sae: its rows (0: 64)
  std::string name = "layers";
};

// `model`: the loaded model, which the lens and the SAE evaluation run (the others read the store
// only). Throws InputError for another analysis word, a lens without a split, a lens or evaluation
// without a model, and what the analysis throws. The result line says what was written.
jobs::JobResult run_analysis(const AnalysisInputs& inputs, const LoadedModel* model, jobs::JobContext& job);

}  // namespace loupe::ui
