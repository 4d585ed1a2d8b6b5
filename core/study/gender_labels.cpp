#include "core/study/gender_labels.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "core/error.h"
#include "core/io/dataset.h"

namespace loupe::study {

namespace {

std::string lower(std::string word) {
  for (char& c : word) c = char(std::tolower(static_cast<unsigned char>(c)));
  return word;
}

bool has_gender_column(const io::Dataset& dataset) {
  return std::find(dataset.label_columns.begin(), dataset.label_columns.end(), "gender") != dataset.label_columns.end();
}

std::vector<LabeledImage> gender_images(const io::Dataset& dataset, size_t per_group) {
  if (!has_gender_column(dataset))
    throw InputError("the dataset " + dataset.root + " has no `gender` column to split woman and man images");
  std::vector<LabeledImage> images;
  size_t women = 0, men = 0;
  for (const auto& row : dataset.rows) {
    const std::string gender = lower(row.labels.at("gender"));
    if ((gender == "woman" || gender == "female") && women < per_group) {
      images.push_back({row.image, true});
      ++women;
    }
    if ((gender == "man" || gender == "male") && men < per_group) {
      images.push_back({row.image, false});
      ++men;
    }
  }
  return images;
}

}  // namespace

const char* gender_label_name(GenderLabel label) { return label == GenderLabel::Figure ? "figure" : "caption"; }

GenderLabel parse_gender_label(const std::string& word) {
  if (word == "figure") return GenderLabel::Figure;
  if (word == "caption") return GenderLabel::Caption;
  throw InputError("a gender label is `figure` (what the image shows) or `caption` (what the model says), not '" + word + "'");
}

std::vector<LabeledImage> dataset_gender_images(const std::string& dataset_folder, size_t per_group) {
  return gender_images(io::load_dataset(dataset_folder), per_group);
}

std::vector<LabeledImage> gender_images_or_fallback(const std::string& open_folder, const std::string& fallback_folder,
                                                    size_t per_group) {
  if (!open_folder.empty() && std::filesystem::exists(std::filesystem::path(open_folder) / io::kDatasetCsvName)) {
    const io::Dataset dataset = io::load_dataset(open_folder);
    if (has_gender_column(dataset)) return gender_images(dataset, per_group);
  }
  return dataset_gender_images(fallback_folder, per_group);
}

}  // namespace loupe::study
