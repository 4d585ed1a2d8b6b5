// `loupe pairs`: clean / corrupt pairs for activation patching from a dataset's own rows: the same
// scene and activity with a woman and with a man figure. Torch-free.
#pragma once
#include <string>

#include "core/io/dataset.h"
#include "core/util/table.h"

namespace loupe::study {

// Within each (scene, activity), the k-th woman row is paired with the k-th man row, in CSV order
// (a group's extra rows stay unpaired). `split`: a canonical split name, empty for every row.
// Columns: scene, activity, woman_row, woman_image, man_row, man_image. Throws InputError for a
// dataset without gender, scene and activity columns, or a split with no rows.
util::Table counterfactual_pairs(const io::Dataset& dataset, const std::string& split);

}  // namespace loupe::study
