// Caption datasets in the researchers' seed format: a folder holding image_caption.csv (UTF-8,
// RFC 4180) whose header names at least the columns image, en_caption and ar_caption; `image` is a
// path relative to the folder (or absolute). Any further column (gender, scene, activity, split, ...)
// is kept as label metadata.
//
// Malformed CSV is an authoring error: loading stops at the first bad record with a FormatError
// naming the file and the line. Images are not opened here; a row whose image is missing is the
// extraction's to skip and list.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace loupe::io {

constexpr const char* kDatasetCsvName = "image_caption.csv";

struct DatasetRow {
  int64_t row = 0;  // 0-based index among the data rows
  int line = 0;     // 1-based line of the CSV where the record starts
  std::string image;  // the `image` field joined to the dataset folder (absolute paths kept)
  std::string en_caption;
  std::string ar_caption;
  std::map<std::string, std::string> labels;  // every label column, possibly empty values
};

struct Dataset {
  std::string root;                        // absolute path of the dataset folder
  std::vector<std::string> label_columns;  // the extra columns, in file order
  std::vector<DatasetRow> rows;
};

// `folder_or_csv`: the dataset folder, or the CSV file itself (its folder is then the root).
// Throws IoError when the file cannot be read, FormatError for a missing or duplicated column, a
// record with the wrong number of fields, an unterminated quote, an empty image path or text that
// is not UTF-8.
Dataset load_dataset(const std::string& folder_or_csv);

// The one split vocabulary of every command: a value of the dataset's `split` column (loupe synth
// writes train, balanced and counter), with "eval" as another name for "balanced". Throws
// InputError for an empty name.
std::string canonical_split(const std::string& split);
// "no rows in the split 'dev' (the dataset's splits: balanced, counter, train)", for errors.
std::string no_rows_in_split(const Dataset& dataset, const std::string& split);

}  // namespace loupe::io
