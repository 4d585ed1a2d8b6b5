// Fuzzes the CSV reader (quotes, line ends, byte-order mark) and the dataset loader on top of it
// (header columns, field counts, UTF-8, image paths): the input as a dataset folder's
// image_caption.csv, and through canonical_split for each row's split label.
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "core/io/csv.h"
#include "core/io/dataset.h"
#include "fuzz_scratch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    loupe::io::parse_csv(text, "fuzz.csv");
  } catch (const loupe::Error&) {
  }
  const auto folder = loupe::fuzz::scratch().folder("dataset");
  loupe::fuzz::Scratch::write(folder / loupe::io::kDatasetCsvName, data, size);
  try {
    const loupe::io::Dataset dataset = loupe::io::load_dataset(folder.string());
    for (const auto& row : dataset.rows) {
      const auto split = row.labels.find("split");
      if (split != row.labels.end()) loupe::io::canonical_split(split->second);
    }
    loupe::io::no_rows_in_split(dataset, "dev");
  } catch (const loupe::Error&) {
  }
  return 0;
}
