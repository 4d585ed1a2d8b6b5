// `loupe swap-gender`: writes the counterfactual copy of a caption dataset, each English and Arabic
// caption with its gender swapped and the images kept (core/eval/swap_dataset.h).
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "core/eval/swap_dataset.h"
#include "core/io/dataset.h"

namespace loupe::cli {

namespace {

int run_swap_gender(const Args& args) {
  const std::string out = args.get("out");
  const eval::SwapDatasetSummary summary = eval::swap_gender_dataset(args.get("dataset"), out, args.has("with-original"));
  const std::string csv = (std::filesystem::path(out) / io::kDatasetCsvName).string();
  const std::string list = (std::filesystem::path(out) / eval::kUnswappedListName).string();
  if (args.has("json")) {
    const nlohmann::ordered_json json = {{"rows", summary.rows},
                                         {"swapped_en", summary.swapped_en},
                                         {"swapped_ar", summary.swapped_ar},
                                         {"unswapped", summary.unswapped.size()},
                                         {"csv", csv},
                                         {"unswapped_list", list}};
    std::cout << json.dump() << "\n";
    return 0;
  }
  std::cout << "swap-gender: " << summary.rows << " rows; captions swapped: en " << summary.swapped_en << ", ar "
            << summary.swapped_ar << "; " << summary.unswapped.size() << " captions kept as they were (listed in "
            << list << "); dataset " << csv << "\n";
  return 0;
}

}  // namespace

CommandSpec swap_gender_command() {
  return {"swap-gender",
          "write the counterfactual dataset: every caption with its gender swapped, the same images",
          "loupe swap-gender --dataset DIR --out DIR [--with-original] [--json]",
          {{"dataset", "DIR", "dataset folder (image_caption.csv) or the CSV itself"},
           {"out", "DIR", "output folder (created): image_caption.csv with absolute image paths, unswapped.txt"},
           {"with-original", "", "each original row, then its swapped copy, and a counterfactual column (augmentation)"},
           {"json", "", "print the summary as JSON: rows, swapped_en, swapped_ar, unswapped, csv, unswapped_list"}},
          run_swap_gender};
}

}  // namespace loupe::cli
