#include "core/study/split_images.h"

#include <algorithm>
#include <utility>

#include "core/error.h"
#include "core/train/caption_examples.h"

namespace loupe::study {

std::vector<DatasetImage> split_images(const io::Dataset& dataset, const std::string& split, const std::vector<std::string>& where,
                                       int64_t limit) {
  std::vector<std::pair<std::string, std::string>> wanted;  // column, value
  for (const std::string& word : where) {
    const size_t equals = word.find('=');
    if (equals == std::string::npos || equals == 0) throw InputError("--where takes COLUMN=VALUE, e.g. gender=person, not '" + word + "'");
    wanted.emplace_back(word.substr(0, equals), word.substr(equals + 1));
  }
  for (const auto& [column, value] : wanted)
    if (std::find(dataset.label_columns.begin(), dataset.label_columns.end(), column) == dataset.label_columns.end())
      throw InputError("--where " + column + "=" + value + ": the dataset has no column '" + column + "'");
  std::vector<DatasetImage> images;
  for (const auto& row : train::rows_in_split(dataset, split, 0)) {
    bool kept = true;
    for (const auto& [column, value] : wanted) kept = kept && row.labels.at(column) == value;
    if (kept && (limit == 0 || int64_t(images.size()) < limit)) images.push_back({row.image, row.row});
  }
  if (images.empty()) throw InputError("no row of the split '" + split + "' matches every --where");
  return images;
}

}  // namespace loupe::study
