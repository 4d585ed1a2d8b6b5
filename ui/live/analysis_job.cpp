#include "ui/live/analysis_job.h"

#include "app/cli/args.h"
#include "core/error.h"
#include "core/study/layer_analysis_run.h"

namespace loupe::ui {

namespace {

util::Table analysis_table(const AnalysisInputs& inputs, jobs::JobContext& job) {
  if (inputs.analysis == "summary") {
    study::LayerSummaryRequest request;
    request.workspace = inputs.workspace;
    request.split = inputs.split;
    return study::layer_summary_logged(request, inputs.name, job);
  }
  if (inputs.analysis != "probe" && inputs.analysis != "rank")
    throw InputError("the Study panel runs probe, rank or summary, not '" + inputs.analysis + "'");
  study::LayerAnalysisRequest request;
  request.workspace = inputs.workspace;
  request.store = inputs.store;
  request.hooks = cli::split_list(inputs.hooks);
  request.split = inputs.split;
  const auto which = inputs.analysis == "probe" ? study::LayerAnalysis::Probe : study::LayerAnalysis::Rank;
  return study::layer_analysis_logged(request, which, inputs.name, false, job);
}

}  // namespace

jobs::JobResult run_analysis(const AnalysisInputs& inputs, jobs::JobContext& job) {
  const util::Table table = analysis_table(inputs, job);
  const std::string line = "analyze " + inputs.analysis + " → analyses/" + inputs.name + ": " + std::to_string(table.row_count()) + " rows";
  job.log(line);
  return jobs::JobResult(line);
}

}  // namespace loupe::ui
