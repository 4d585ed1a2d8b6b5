// A dose-response as a workspace runs it (`loupe steer --split` and the desktop app's steering
// sweep): the split's rows chosen (study::split_images), the run logged in runs.jsonl with its
// parameters and inputs, the table written to W/analyses/NAME/dose_response.{csv,json} when it
// succeeds, nothing written when it fails. Torch-free.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/io/dataset.h"
#include "core/util/table.h"
#include "core/workspace/workspace.h"

namespace loupe::study {

struct DoseResponseRun {
  std::string split;                // the dataset split (balanced, counter, ...)
  std::string set_file;             // the steering set (FILE.json)
  std::string sweep;                // alpha=FROM:TO:STEP as given; empty: the set's own alphas
  std::string lang = "both";        // en, ar or both
  std::vector<std::string> where;   // COLUMN=VALUE filters
  int64_t limit = 0;                // at most this many rows (0: all)
  int64_t max_new_tokens = 24, batch = 8;
  std::string name = "steer";       // W/analyses/NAME
};

// `compute` captions the chosen rows and returns the table (study::dose_response). Throws
// InputError for a bad NAME, a workspace without a dataset, or the split's errors, before anything
// is logged; rethrows what `compute` throws (logged as failed).
util::Table dose_response_logged(const workspace::Workspace& space, const DoseResponseRun& run,
                                 const std::function<util::Table(const std::vector<io::DatasetRow>&)>& compute);

}  // namespace loupe::study
