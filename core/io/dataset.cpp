#include "core/io/dataset.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "core/error.h"
#include "core/io/csv.h"
#include "core/util/utf8.h"
#include "core/util/atomic_file.h"

namespace loupe::io {

namespace fs = std::filesystem;

namespace {

const std::string kRequiredColumns[] = {"image", "en_caption", "ar_caption"};

std::string trimmed(const std::string& text) {
  const size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

// Where each column sits in a record, checked for missing, unnamed and duplicated columns.
struct Columns {
  std::vector<std::string> names;
  int image = -1, en_caption = -1, ar_caption = -1;
  std::vector<int> labels;  // positions of the label columns
};

Columns read_header(const CsvRecord& header, const std::string& file) {
  Columns columns;
  for (const auto& field : header.fields) columns.names.push_back(trimmed(field));
  for (size_t i = 0; i < columns.names.size(); ++i) {
    const std::string& name = columns.names[i];
    if (name.empty())
      throw FormatError(file + ": line " + std::to_string(header.line) + ": column " + std::to_string(i + 1) +
                        " of the header has no name");
    if (std::find(columns.names.begin(), columns.names.begin() + i, name) != columns.names.begin() + i)
      throw FormatError(file + ": line " + std::to_string(header.line) + ": the header names column '" + name +
                        "' twice");
    int* const required[] = {&columns.image, &columns.en_caption, &columns.ar_caption};
    const auto known = std::find(std::begin(kRequiredColumns), std::end(kRequiredColumns), name);
    if (known != std::end(kRequiredColumns)) *required[known - std::begin(kRequiredColumns)] = int(i);
    else columns.labels.push_back(int(i));
  }
  const int positions[] = {columns.image, columns.en_caption, columns.ar_caption};
  for (int k = 0; k < 3; ++k)
    if (positions[k] < 0)
      throw FormatError(file + ": the header has no '" + kRequiredColumns[k] + "' column (found: " +
                        joined(columns.names) + "); a dataset needs image, en_caption and ar_caption");
  return columns;
}

void check_utf8(const CsvRecord& record, const std::string& file) {
  for (const auto& field : record.fields)
    if (!util::is_valid_utf8(field))
      throw FormatError(file + ": line " + std::to_string(record.line) +
                        " is not valid UTF-8; save the file as UTF-8 (not Windows-1256 or Latin-1)");
}

DatasetRow read_row(const CsvRecord& record, const Columns& columns, const fs::path& root,
                    const std::string& file) {
  if (record.fields.size() != columns.names.size())
    throw FormatError(file + ": line " + std::to_string(record.line) + " has " +
                      std::to_string(record.fields.size()) + " fields but the header has " +
                      std::to_string(columns.names.size()) + " (" + joined(columns.names) +
                      "); a field holding a comma must be in double quotes");
  DatasetRow row;
  row.line = record.line;
  const std::string& image = record.fields[columns.image];
  if (trimmed(image).empty())
    throw FormatError(file + ": line " + std::to_string(record.line) + " has an empty image path");
  row.image = (root / image).lexically_normal().string();
  row.en_caption = record.fields[columns.en_caption];
  row.ar_caption = record.fields[columns.ar_caption];
  for (int position : columns.labels) row.labels[columns.names[position]] = record.fields[position];
  return row;
}

}  // namespace

Dataset load_dataset(const std::string& folder_or_csv) {
  std::error_code error;
  const bool is_folder = fs::is_directory(folder_or_csv, error);
  const fs::path csv = is_folder ? fs::path(folder_or_csv) / kDatasetCsvName : fs::path(folder_or_csv);
  if (is_folder && !fs::exists(csv, error))
    throw IoError("dataset folder " + folder_or_csv + " has no " + kDatasetCsvName +
                  " (expected a CSV with the columns image,en_caption,ar_caption)");
  const std::string file = csv.string();
  const std::string text = util::read_file(file);

  const std::vector<CsvRecord> records = parse_csv(text, file);
  if (records.empty())
    throw FormatError(file + ": the file is empty; its first line must be a header such as "
                      "image,en_caption,ar_caption");
  for (const auto& record : records) check_utf8(record, file);
  const Columns columns = read_header(records.front(), file);

  Dataset dataset;
  const fs::path root = fs::absolute(csv, error).lexically_normal().parent_path();
  dataset.root = root.string();
  for (int position : columns.labels) dataset.label_columns.push_back(columns.names[position]);
  dataset.rows.reserve(records.size() - 1);
  for (size_t i = 1; i < records.size(); ++i) {
    dataset.rows.push_back(read_row(records[i], columns, root, file));
    dataset.rows.back().row = int64_t(i - 1);
  }
  return dataset;
}

std::string canonical_split(const std::string& split) {
  if (split.empty()) throw InputError("name a split: eval (balanced), counter, train, or a value of the dataset's `split` column");
  return split == "eval" ? "balanced" : split;
}

std::string no_rows_in_split(const Dataset& dataset, const std::string& split) {
  std::set<std::string> names;
  for (const auto& row : dataset.rows) {
    const auto found = row.labels.find("split");
    if (found != row.labels.end()) names.insert(found->second);
  }
  std::string listed;
  for (const auto& name : names) listed += (listed.empty() ? "" : ", ") + name;
  return dataset.root + " has no rows in the split '" + split + "' (the dataset's splits: " +
         (listed.empty() ? "none, it has no `split` column" : listed) + ")";
}

}  // namespace loupe::io
