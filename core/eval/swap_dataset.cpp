#include "core/eval/swap_dataset.h"

#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "core/eval/gender_swap.h"
#include "core/io/csv.h"
#include "core/io/dataset.h"
#include "core/util/atomic_file.h"
#include "core/util/table.h"

namespace loupe::eval {

namespace fs = std::filesystem;

namespace {

// The header of the dataset's CSV, names trimmed as load_dataset trims them.
std::vector<std::string> swap_csv_header(const std::string& dataset_folder) {
  std::error_code error;
  const fs::path folder_or_csv(dataset_folder);
  const fs::path csv = fs::is_directory(folder_or_csv, error) ? folder_or_csv / io::kDatasetCsvName : folder_or_csv;
  const std::string text = util::read_file(csv.string());
  std::vector<std::string> names = io::parse_csv(text, csv.string()).front().fields;
  for (std::string& name : names) {
    const size_t begin = name.find_first_not_of(" \t");
    name = begin == std::string::npos ? "" : name.substr(begin, name.find_last_not_of(" \t") - begin + 1);
  }
  return names;
}

// The caption swapped, or kept and listed with its problem.
std::string swap_caption(const io::DatasetRow& row, Language language, int64_t& swapped,
                         std::vector<std::string>& unswapped) {
  const std::string& caption = language == Language::Arabic ? row.ar_caption : row.en_caption;
  const GenderSwap swap = swap_gender(caption, language);
  if (swap.problem.empty()) {
    ++swapped;
    return swap.text;
  }
  unswapped.push_back("line " + std::to_string(row.line) + " " + language_code(language) + ": " + caption + " — " +
                      swap.problem);
  return caption;
}

}  // namespace

SwapDatasetSummary swap_gender_dataset(const std::string& dataset_folder, const std::string& out_folder, bool with_original) {
  const fs::path out_csv = fs::path(out_folder) / io::kDatasetCsvName;
  std::error_code error;
  if (fs::exists(out_csv, error))
    throw InputError(out_folder + " already holds an " + io::kDatasetCsvName +
                     "; give swap-gender a new folder for the swapped dataset");
  const io::Dataset dataset = io::load_dataset(dataset_folder);
  if (dataset.rows.empty()) throw InputError(dataset.root + " has no rows: a dataset without captions to swap");
  const std::vector<std::string> header = swap_csv_header(dataset_folder);
  if (with_original && std::find(header.begin(), header.end(), kCounterfactualColumn) != header.end())
    throw InputError(dataset.root + " already has a " + kCounterfactualColumn + " column: it looks swapped already");

  SwapDatasetSummary summary;
  summary.rows = int64_t(dataset.rows.size());
  std::vector<util::Column> columns;
  for (const std::string& name : header) columns.push_back({name, util::ColumnType::Text});
  if (with_original) columns.push_back({kCounterfactualColumn, util::ColumnType::Text});
  util::Table table(columns);
  const auto add_row = [&](const io::DatasetRow& row, const std::string& en, const std::string& ar, const char* kind) {
    std::vector<util::Cell> cells;
    for (const std::string& name : header) {
      if (name == "image") cells.push_back(row.image);
      else if (name == "en_caption") cells.push_back(en);
      else if (name == "ar_caption") cells.push_back(ar);
      else cells.push_back(row.labels.at(name));
    }
    if (with_original) cells.push_back(std::string(kind));
    table.add_row(std::move(cells));
  };
  for (const io::DatasetRow& row : dataset.rows) {
    const std::string en = swap_caption(row, Language::English, summary.swapped_en, summary.unswapped);
    const std::string ar = swap_caption(row, Language::Arabic, summary.swapped_ar, summary.unswapped);
    if (with_original) add_row(row, row.en_caption, row.ar_caption, "original");
    add_row(row, en, ar, "swapped");
  }
  if (summary.swapped_en + summary.swapped_ar == 0)
    throw InputError(dataset.root + ": no caption could be swapped (" + std::to_string(summary.unswapped.size()) +
                     " captions, e.g. " + summary.unswapped.front() + "): a dataset without captions to swap");

  std::string list;
  for (const std::string& line : summary.unswapped) list += line + "\n";
  util::create_folders(out_folder, "output folder");
  util::write_file_atomic((fs::path(out_folder) / kUnswappedListName).string(), list);
  util::write_file_atomic(out_csv.string(), table.csv());
  return summary;
}

}  // namespace loupe::eval
