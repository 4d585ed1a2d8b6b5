// The Feature page's thumbnails: each example image captioned again in its language while the SAE's
// hook is captured, and the latent's heatmap over its patches (study::caption_heatmap, what the
// report's latent gallery and `loupe heatmap --quantity latent` draw), as a job. Torch-free.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/jobs/job.h"
#include "core/study/heatmap_types.h"
#include "ui/live/live_types.h"

namespace loupe::ui {

struct LatentThumbnails {
  std::string sae_folder;
  int64_t latent = -1;
  // (image, language) → the latent over the image's patches; an example whose map could not be
  // made holds the reason in its error.
  std::map<std::pair<std::string, std::string>, study::Heatmap> maps;
};

// `examples`: distinct (image, language) pairs. Throws what loading the SAE throws; a failing
// example becomes its map's error and the rest go on; Cancelled between examples.
jobs::JobResult run_latent_thumbnails(const LoadedModel& model, const std::string& sae_folder, int64_t latent,
                                      const std::vector<std::pair<std::string, std::string>>& examples, jobs::JobContext& job);

}  // namespace loupe::ui
