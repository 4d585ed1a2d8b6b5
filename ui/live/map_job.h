// The Maps panel's Recompute: `loupe analyze embed` of the open workspace's store at one hook, or
// of an SAE's decoder directions (study::labelled_maps_logged: logged in runs.jsonl, written to
// W/analyses/NAME/), as a job with the t-SNE's progress. Torch-free interface.
#pragma once
#include <cstdint>
#include <string>

#include "core/jobs/job.h"

namespace loupe::ui {

struct MapInputs {
  std::string workspace, store = "acts", hook, split;
  std::string sae;  // set instead of the hook: a map of the SAE's decoder directions
  std::string method = "tsne";  // pca | tsne
  double perplexity = 30;
  uint64_t seed = 1;
  std::string name = "maps-gui";
};

// Throws what labelled_maps_logged throws (a hook the store lacks, a perplexity of at least the
// number of points, a bad name). The result line names the map written.
jobs::JobResult run_map(const MapInputs& inputs, jobs::JobContext& job);

}  // namespace loupe::ui
