#include "ui/live/dose_response_job.h"

#include "core/study/dose_response.h"
#include "core/study/steering_set.h"
#include "ui/live/loaded_model.h"

namespace loupe::ui {

jobs::JobResult run_dose_response(const LoadedModel& model, const std::string& workspace, const study::DoseResponseRun& run,
                                  jobs::JobContext& job) {
  const workspace::Workspace space = workspace::Workspace::open(workspace);
  study::SweepRequest sweep;
  sweep.set = study::read_steering_set(run.set_file);
  if (!run.sweep.empty()) sweep.alphas = study::parse_alpha_sweep(run.sweep);
  sweep.max_new_tokens = run.max_new_tokens;
  const util::Table table = study::dose_response_logged(space, run, [&](const std::vector<io::DatasetRow>& rows) {
    job.set_stage("captioning " + std::to_string(rows.size()) + " rows");
    return study::dose_response(*model.vlm, *model.tokenizer, rows, sweep, job, run.batch);
  });
  const std::string line = "dose-response " + run.name + ": " + std::to_string(table.row_count()) + " (alpha, language) cells";
  job.log(line);
  return jobs::JobResult(line);
}

}  // namespace loupe::ui
