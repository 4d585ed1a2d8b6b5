// The Steering panel's dose-response sweep: `loupe steer --split S --set FILE --sweep alpha=...`
// on the loaded model (study::dose_response_logged: the split's rows, logged in runs.jsonl, written
// to W/analyses/NAME/dose_response.{csv,json}). Torch-free interface.
#pragma once
#include <string>

#include "core/jobs/job.h"
#include "core/study/dose_response_run.h"
#include "ui/live/live_types.h"

namespace loupe::ui {

// Both languages. The job's result line names the rows and cells written. Throws what
// read_steering_set, parse_alpha_sweep and dose_response throw.
jobs::JobResult run_dose_response(const LoadedModel& model, const std::string& workspace, const study::DoseResponseRun& run,
                                  jobs::JobContext& job);

}  // namespace loupe::ui
