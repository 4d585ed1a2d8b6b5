// The entries of a store's rows.jsonl as typed columns. Entry i is one (dataset row, language) unit;
// every vector of the store names its entry through `row_index`. Column e of every vector below
// describes entry e.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/eval/gender.h"
#include "core/util/language.h"

namespace loupe::store {

struct StoreEntries {
  std::vector<int64_t> row;                       // the dataset row (0-based)
  std::vector<std::string> image;                 // the image path the extraction read
  std::vector<std::optional<Language>> language;  // the caption language; none in vision stores
  std::vector<std::map<std::string, std::string>> labels;  // the dataset's label columns
  std::vector<std::string> figure_gender;         // labels["gender"] as written ("" when absent)
  std::vector<std::string> reference_caption;     // "" in vision stores
  std::vector<std::string> generated_caption;     // "" unless the store was extracted with --source generate
  std::vector<eval::Gender> reference_gender;     // what the reference caption states (Unknown without one)
  std::vector<std::optional<eval::Gender>> generated_gender;  // what the generated caption states
  std::vector<std::vector<int64_t>> ids;          // the sequence's token ids as run (empty in vision stores)
  std::vector<std::vector<std::string>> tokens;   // their texts
  std::vector<std::vector<int64_t>> positions;    // the stored positions, in order (-1: a pooled vector)

  int64_t size() const { return int64_t(row.size()); }
  // The caption the entry's model produced when generated, else its reference caption.
  const std::string& caption(int64_t entry) const;
  eval::Gender stated_gender(int64_t entry) const;  // of caption(entry)
};

// Parses rows.jsonl's entries, one JSON object a line (`where` names the file in errors). Throws
// FormatError naming the entry and the field.
StoreEntries parse_store_entries(const std::vector<std::string>& lines, const std::string& where);

}  // namespace loupe::store
