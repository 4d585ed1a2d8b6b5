#include "app/cli/study_args.h"

#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "core/io/dataset.h"
#include "core/train/caption_examples.h"

namespace loupe::cli {

namespace fs = std::filesystem;

std::vector<Language> study_languages(const Args& args) {
  const std::string word = args.get_or("lang", "both");
  if (word == "both") return {Language::English, Language::Arabic};
  return {parse_language(word, "--lang")};
}

std::vector<study::DatasetImage> study_images(const Args& args, const workspace::Workspace& space) {
  if (args.has("image") == args.has("split")) throw InputError("give --image PATH (one image) or --split S (every row of a split)");
  const bool has_dataset = fs::exists(space.dataset() / io::kDatasetCsvName);
  if (args.has("split")) {
    if (!has_dataset) throw InputError("--split reads the workspace's dataset, but " + space.dataset().string() + " has no " +
                                       io::kDatasetCsvName);
    std::vector<std::pair<std::string, std::string>> wanted;  // column, value
    for (const std::string& where : args.all("where")) {
      const size_t equals = where.find('=');
      if (equals == std::string::npos || equals == 0) throw InputError("--where takes COLUMN=VALUE, e.g. gender=person, not '" + where + "'");
      wanted.emplace_back(where.substr(0, equals), where.substr(equals + 1));
    }
    const io::Dataset dataset = io::load_dataset(space.dataset().string());
    for (const auto& [column, value] : wanted)
      if (std::find(dataset.label_columns.begin(), dataset.label_columns.end(), column) == dataset.label_columns.end())
        throw InputError("--where " + column + "=" + value + ": the dataset has no column '" + column + "'");
    const int64_t limit = args.get_count("limit", 0);
    std::vector<study::DatasetImage> images;
    for (const auto& row : train::rows_in_split(dataset, args.get("split"), 0)) {
      bool kept = true;
      for (const auto& [column, value] : wanted) kept = kept && row.labels.at(column) == value;
      if (kept && (limit == 0 || int64_t(images.size()) < limit)) images.push_back({row.image, row.row});
    }
    if (images.empty()) throw InputError("no row of the split '" + args.get("split") + "' matches every --where");
    return images;
  }
  const std::string image = args.get("image");
  if (!fs::is_regular_file(image)) throw InputError("--image " + image + ": no such image file");
  if (has_dataset) {
    const fs::path wanted = fs::weakly_canonical(image);
    for (const io::DatasetRow& row : io::load_dataset(space.dataset().string()).rows)
      if (fs::weakly_canonical(row.image) == wanted) return {{image, row.row}};
  }
  return {{image, -1}};
}

OptionSpec where_option() {
  return {"where", "COLUMN=VALUE", "--split: only rows whose label column holds this value, e.g. gender=person (repeatable)", true};
}

}  // namespace loupe::cli
