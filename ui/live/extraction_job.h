// An activation-extraction job started from the Jobs panel (core/store Extraction), torch-free
// interface so the panel does not include LibTorch.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "core/jobs/job.h"

namespace loupe::ui {

struct ExtractionRequest {
  std::string model;    // model folder
  std::string dataset;  // dataset folder (image_caption.csv)
  std::string out;      // store folder to create
  std::string hooks;    // decoder hook pattern, e.g. blocks.1.hook_resid_post
  int64_t limit = 0;    // first N rows, 0: all
};

// Prepares (every check first: InputError for an unknown hook, an existing store, ...) and runs
// the extraction, reporting progress through `job`. Returns the extraction's summary.
nlohmann::json run_extraction(const ExtractionRequest& request, jobs::JobContext& job);

}  // namespace loupe::ui
