// A patch sweep as a workspace runs it (`loupe patch-sweep` and the desktop app's Patching panel):
// logged in runs.jsonl with its parameters and inputs, its table written to
// W/analyses/NAME/patch.{csv,json} when it succeeds, nothing written when it fails. Torch-free.
#pragma once
#include <functional>
#include <string>

#include "core/study/patch_types.h"
#include "core/workspace/workspace.h"

namespace loupe::study {

// `sweep` runs the sweep of `request` (loading the model, or with one already loaded). Throws
// InputError for a bad NAME before anything runs; rethrows what `sweep` throws.
GenderPatch patch_sweep_logged(const workspace::Workspace& space, const GenderPatchRequest& request, const std::string& name,
                               const std::function<GenderPatch()>& sweep);

}  // namespace loupe::study
