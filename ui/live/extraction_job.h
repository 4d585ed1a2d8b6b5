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
  std::string workspace;  // the open workspace, whose runs.jsonl logs the run; empty: none
  std::string positions = "text";  // a store positions word: text, image, template, all, ...
  std::string langs = "both";      // en, ar or both
  std::string source = "caption";  // caption (teacher-forced reference) or generate (the model's own)
};

// Runs study::extract_activations, the function `loupe extract` runs (every check first: InputError
// for an unknown hook, an existing store, ...), reporting progress through `job`; logged to the
// workspace's runs.jsonl as the CLI's runs are. Returns the extraction's summary.
nlohmann::json run_extraction(const ExtractionRequest& request, jobs::JobContext& job);

}  // namespace loupe::ui
