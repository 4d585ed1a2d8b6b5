// Steering directions for the sliders, made on a job thread (torch-free interface):
//  - the gender direction (core/study/gender_direction.h, the one `loupe direction` writes);
//  - a vector stored in a safetensors file (FILE.safetensors:KEY);
//  - one SAE latent's decoder row;
//  - a selection of store entries on a map, against the rest.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/jobs/job.h"
#include "core/study/gender_labels.h"
#include "ui/live/live_types.h"

namespace loupe::ui {

// The gender direction of core/study (study::gender_direction) with the English prompts, as a
// slider: named "gender" (figure labels) or "gender-caption" (caption labels).
std::shared_ptr<const Direction> gender_direction(const LoadedModel& model, const std::vector<study::LabeledImage>& images,
                                                  const std::string& hook, study::GenderLabel label, jobs::JobContext& job);

std::shared_ptr<const Direction> file_direction(const std::string& file_colon_key, const std::string& hook);
// The SAE's own hook (cfg.json hook_name), or `fallback_hook` when it names none.
std::shared_ptr<const Direction> sae_latent_direction(const std::string& sae_path, int64_t latent,
                                                      const std::string& fallback_hook);

// A map selection as a direction (study::store_direction, kind selection): the mean pooled vector
// of the chosen store entries minus that of the others at `hook`, saved as
// W/directions/NAME.safetensors as `loupe direction --from selection` saves it, and as a slider.
std::shared_ptr<const Direction> selection_direction(const std::string& workspace, const std::string& hook,
                                                     const std::vector<int64_t>& entries, const std::string& name);

// Writes every direction to one safetensors file (keys = names), for `loupe generate --steer`.
void export_directions(const std::string& path, const std::vector<std::shared_ptr<const Direction>>& directions);

}  // namespace loupe::ui
