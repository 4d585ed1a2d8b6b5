#include "core/study/counterfactual_pairs.h"

#include <array>
#include <map>
#include <utility>
#include <vector>

#include "core/error.h"

namespace loupe::study {

util::Table counterfactual_pairs(const io::Dataset& dataset, const std::string& split) {
  using util::ColumnType;
  util::Table table({{"scene", ColumnType::Text},
                     {"activity", ColumnType::Text},
                     {"woman_row", ColumnType::Integer},
                     {"woman_image", ColumnType::Text},
                     {"man_row", ColumnType::Integer},
                     {"man_image", ColumnType::Text}});
  std::map<std::pair<std::string, std::string>, std::array<std::vector<const io::DatasetRow*>, 2>> groups;
  int64_t in_split = 0;
  for (const io::DatasetRow& row : dataset.rows) {
    for (const char* column : {"gender", "scene", "activity"})
      if (!row.labels.count(column))
        throw InputError("pairs need the dataset's gender, scene and activity columns; " + dataset.root + " has no `" +
                         column + "` column");
    if (!split.empty() && (!row.labels.count("split") || row.labels.at("split") != split)) continue;
    ++in_split;
    const std::string& gender = row.labels.at("gender");
    const int side = gender == "woman" ? 0 : gender == "man" ? 1 : -1;
    if (side >= 0) groups[{row.labels.at("scene"), row.labels.at("activity")}][size_t(side)].push_back(&row);
  }
  if (in_split == 0) throw InputError(io::no_rows_in_split(dataset, split));
  for (const auto& [key, sides] : groups)
    for (size_t k = 0; k < std::min(sides[0].size(), sides[1].size()); ++k)
      table.add_row({key.first, key.second, sides[0][k]->row, sides[0][k]->image, sides[1][k]->row, sides[1][k]->image});
  return table;
}

}  // namespace loupe::study
