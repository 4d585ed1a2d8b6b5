// The Patching panel's jobs, on the loaded model: a sweep as `loupe patch-sweep` runs it
// (study::patch_sweep_logged: logged in runs.jsonl, written to W/analyses/NAME/patch.{csv,json}),
// and one cell's captions as `loupe patch-captions` prints them (study::patched_continuations).
// Torch-free interface.
#pragma once
#include <string>
#include <vector>

#include "core/jobs/job.h"
#include "core/study/patch_types.h"
#include "ui/live/live_types.h"

namespace loupe::ui {

// Every position of `request`'s block site, the exact method; the job's result line names the
// cells written. Throws what gender_patch_sweep throws (images of other sizes, no gendered word).
jobs::JobResult run_patch_sweep(const LoadedModel& model, const std::string& workspace, const study::GenderPatchRequest& request,
                                const std::string& name, jobs::JobContext& job);

std::vector<study::PatchedContinuation> patch_cell_captions(const LoadedModel& model, const study::GenderPatchRequest& sweep,
                                                            const study::PatchCell& cell, jobs::JobContext& job);

}  // namespace loupe::ui
