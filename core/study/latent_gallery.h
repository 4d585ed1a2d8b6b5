// The report's latent gallery (docs/reports.md): each top latent of the report's latents section
// with its top images, each captioned again in the table's language while the SAE's hook is
// captured, and the latent's heatmap over the image patches drawn on the image.
#pragma once
#include <cstdint>

#include "core/model/vlm.h"
#include "core/report/report.h"
#include "core/workspace/workspace.h"

namespace loupe::study {

struct GalleryOptions {
  int latents_per_table = 3;   // the first latents of each top table
  int images_per_latent = 2;   // its top examples in the table's language, distinct images
  int64_t max_new_tokens = 24;
  int side = 224;              // the PNG's side in pixels
  float opacity = 0.6f;
};

// Adds the images to the report's "latents" section (none when it has no picks). An example that
// cannot be drawn (its image is gone, the SAE is missing or of another width) becomes a problem of
// the section and the rest goes on. Throws only what loading the workspace's model throws.
void add_latent_gallery(report::Report& report, const workspace::Workspace& workspace, const model::LoadOptions& load,
                        const GalleryOptions& options);

}  // namespace loupe::study
