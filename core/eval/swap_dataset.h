// `loupe swap-gender`: the counterfactual copy of a caption dataset, every caption with its gender
// swapped (gender_swap.h) and every image kept, for fine-tuning on gender-swapped captions.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace loupe::eval {

constexpr const char* kUnswappedListName = "unswapped.txt";
constexpr const char* kCounterfactualColumn = "counterfactual";  // "original" or "swapped", with_original only

struct SwapDatasetSummary {
  int64_t rows = 0, swapped_en = 0, swapped_ar = 0;
  std::vector<std::string> unswapped;  // "line N en: caption — problem", in file order
};

// Reads the dataset (io::load_dataset: a folder or its CSV) and writes into out_folder (created):
//  - image_caption.csv: the input's columns in the input's order, each caption swapped (a caption
//    that cannot be swapped is kept as it is), the image column as the absolute path of the
//    original image (so nothing is copied), label columns unchanged; RFC 4180 quoting, "\n" lines;
//  - unswapped.txt: one line per caption left as it was (the summary's `unswapped`), possibly none.
// With `with_original` the CSV holds each original row and then its swapped copy, a last column
// `counterfactual` telling which ("original" / "swapped"): counterfactual data augmentation, the
// training set in which a figure's context no longer predicts the gendered word (docs/finetune.md
// for why swapped captions alone are not a mitigation). Both files are written atomically. Throws InputError, before writing anything, when out_folder
// already holds an image_caption.csv, when the dataset has no rows and when no caption at all can
// be swapped, and with `with_original` for a dataset that already has a counterfactual column;
// IoError / FormatError as load_dataset does.
SwapDatasetSummary swap_gender_dataset(const std::string& dataset_folder, const std::string& out_folder,
                                       bool with_original = false);

}  // namespace loupe::eval
