#include "app/cli/study_args.h"

#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "core/io/dataset.h"
#include "core/study/split_images.h"

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
    return study::split_images(io::load_dataset(space.dataset().string()), args.get("split"), args.all("where"),
                               args.get_count("limit", 0));
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
