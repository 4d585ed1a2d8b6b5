// Which images go into a gender direction, and by which label they are split. Torch-free, so the
// desktop app's panels can name them.
#pragma once
#include <string>
#include <vector>

namespace loupe::study {

struct LabeledImage {
  std::string path;
  bool woman = false;  // the figure's label; false: man
};

// Which label splits the images: the figure's gender (what the picture shows), or the gender the
// model's own caption in each prompt language states (what the model says; images whose caption
// states none are skipped).
enum class GenderLabel { Figure, Caption };
const char* gender_label_name(GenderLabel label);  // "figure", "caption"
GenderLabel parse_gender_label(const std::string& word);  // throws InputError

// A dataset's rows whose `gender` column says woman/female or man/male, at most `per_group` of each
// (the first ones in the CSV). Throws InputError when it has no gender column.
std::vector<LabeledImage> dataset_gender_images(const std::string& dataset_folder, size_t per_group = 100);
// The open dataset's images when it has a `gender` column (its CSV read once), else those of
// `fallback_folder` (the app passes the bundled demo dataset).
std::vector<LabeledImage> gender_images_or_fallback(const std::string& open_folder, const std::string& fallback_folder,
                                                    size_t per_group = 100);

}  // namespace loupe::study
