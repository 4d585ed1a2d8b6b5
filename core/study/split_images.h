// The images a study action runs on over a dataset split (`--split S [--where COLUMN=VALUE]...
// [--limit N]` of the CLI, and the desktop app's sweeps): the split's rows whose label columns hold
// every wanted value, in CSV order, at most `limit` of them (0: all).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/io/dataset.h"
#include "core/study/dataset_image.h"

namespace loupe::study {

// `where`: COLUMN=VALUE words. Throws InputError for a malformed word, a column the dataset lacks,
// an unknown split, or no row left.
std::vector<DatasetImage> split_images(const io::Dataset& dataset, const std::string& split, const std::vector<std::string>& where,
                                       int64_t limit);

}  // namespace loupe::study
