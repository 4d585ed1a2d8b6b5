// Steering directions for the sliders, made on a job thread (torch-free interface):
//  - the gender direction: mean activation over a set of woman images minus the mean over man
//    images, at one hook, averaged over the image-token positions (docs/gui.md);
//  - a vector stored in a safetensors file (FILE.safetensors:KEY);
//  - one SAE latent's decoder row.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/jobs/job.h"
#include "ui/live/live_types.h"

namespace loupe::ui {

struct LabeledImage {
  std::string path;
  bool woman = false;  // false: man
};

// Which label splits the images: the figure's gender (what the picture shows), or the gender the
// model's own English caption states (what the model says).
enum class GenderLabel { Figure, Caption };

// A dataset's rows (the bundled demo images in assets/demo/images are one) whose `gender` column
// says woman/female or man/male, at most `per_group` of each (the first ones in the CSV), so the
// job stays short on large datasets.
std::vector<LabeledImage> dataset_gender_images(const std::string& dataset_folder, size_t per_group = 100);

// Runs the images through the model (and, for Caption labels, captions them). The direction is
// the unnormalised mean difference (woman − man), so alpha = 1 moves a man-image's mean to the
// woman mean. Throws InputError when either group is empty; loupe::Cancelled when the job is.
std::shared_ptr<const Direction> gender_direction(const LoadedModel& model, const std::vector<LabeledImage>& images,
                                                  const std::string& hook, GenderLabel label, jobs::JobContext& job);

std::shared_ptr<const Direction> file_direction(const std::string& file_colon_key, const std::string& hook);
// The SAE's own hook (cfg.json hook_name), or `fallback_hook` when it names none.
std::shared_ptr<const Direction> sae_latent_direction(const std::string& sae_path, int64_t latent,
                                                      const std::string& fallback_hook);

// Writes every direction to one safetensors file (keys = names), for `loupe generate --steer`.
void export_directions(const std::string& path, const std::vector<std::shared_ptr<const Direction>>& directions);

}  // namespace loupe::ui
