#include "ui/live/map_job.h"

#include "core/study/maps.h"

namespace loupe::ui {

jobs::JobResult run_map(const MapInputs& inputs, jobs::JobContext& job) {
  study::MapRequest request;
  request.workspace = inputs.workspace;
  request.store = inputs.sae.empty() ? inputs.store : "";  // an SAE map reads the store it was trained on
  request.sae = inputs.sae;
  request.split = inputs.split;
  request.method = inputs.method;
  request.tsne.perplexity = inputs.perplexity;
  request.tsne.seed = inputs.seed;
  const auto maps = study::labelled_maps_logged(request, {inputs.sae.empty() ? inputs.hook : ""}, inputs.name, job);
  const std::string line = "map " + inputs.name + "/" + maps.front().name + ": " + std::to_string(maps.front().points.row_count()) + " points";
  job.log(line);
  return jobs::JobResult(line);
}

}  // namespace loupe::ui
