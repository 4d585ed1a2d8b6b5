// Extraction as a study action: `loupe extract` and the desktop app's Jobs panel both run this, so
// a store made by either is made, checked and logged the same way.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "core/jobs/job.h"
#include "core/store/extract.h"
#include "core/workspace/workspace.h"

namespace loupe::study {

// The options as runs.jsonl records them; `out` is the store's name when it lies in the
// workspace's stores/ folder, its path otherwise.
nlohmann::json extract_parameters(const store::ExtractOptions& options, const workspace::Workspace* space);

// One line for people: "N vectors from M (row, language) entries; K rows skipped".
std::string extract_message(const store::ExtractSummary& summary);

// Prepares (every check first) and runs the extraction, reporting progress through `job`. With a
// workspace, the run is one line of its runs.jsonl whether it succeeds, fails or is cancelled;
// the error is rethrown after logging.
store::ExtractSummary extract_activations(const store::ExtractOptions& options, const workspace::Workspace* space,
                                          jobs::JobContext& job);

}  // namespace loupe::study
