// The Study panel's analyses: `loupe analyze probe`, `rank` and `summary` of the open workspace
// (study::layer_analysis_logged, layer_summary_logged: logged in runs.jsonl, written to
// W/analyses/NAME/), as jobs. Torch-free interface.
#pragma once
#include <string>

#include "core/jobs/job.h"

namespace loupe::ui {

struct AnalysisInputs {
  std::string workspace;
  std::string analysis = "probe";  // probe | rank | summary
  std::string store = "acts";
  std::string hooks;               // comma-separated; empty: every hook of the store
  std::string split;               // empty: every entry
  std::string name = "layers";
};

// Throws InputError for another analysis word, and what the analysis throws. The result line
// names the table written.
jobs::JobResult run_analysis(const AnalysisInputs& inputs, jobs::JobContext& job);

}  // namespace loupe::ui
