#include "ui/live/patch_jobs.h"

#include "core/study/patch_run.h"
#include "core/study/patch_study.h"
#include "core/study/patched_captions.h"
#include "ui/live/loaded_model.h"

namespace loupe::ui {

jobs::JobResult run_patch_sweep(const LoadedModel& model, const std::string& workspace, const study::GenderPatchRequest& request,
                                const std::string& name, jobs::JobContext& job) {
  const workspace::Workspace space = workspace::Workspace::open(workspace);
  const study::GenderPatch result = study::patch_sweep_logged(
      space, request, name, [&] { return study::gender_patch_sweep(*model.vlm, *model.tokenizer, request, job); });
  const std::string line = "patch-sweep " + name + ": clean caption '" + result.caption + "', " +
                           std::to_string(result.table.row_count()) + " cells";
  job.log(line);
  return jobs::JobResult(line);
}

std::vector<study::PatchedContinuation> patch_cell_captions(const LoadedModel& model, const study::GenderPatchRequest& sweep,
                                                            const study::PatchCell& cell, jobs::JobContext& job) {
  return study::patched_continuations(*model.vlm, *model.tokenizer, sweep, cell, job);
}

}  // namespace loupe::ui
