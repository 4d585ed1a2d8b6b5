// The check of issue 17: every number of a report.json equals the file it names as its source.
// Used by the report tests on hand-made tables (tests/base) and on a real demo study (tests/core).
#pragma once
#include <cmath>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/io/csv.h"
#include "core/store/sha256.h"
#include "core/util/atomic_file.h"

namespace loupe::test {

// A source cell as report_json writes it: null when empty, a number when it reads as one.
inline nlohmann::json expected_cell(const std::string& text) {
  if (text.empty()) return nullptr;
  const std::optional<double> v = io::parse_number(text);
  if (v && std::isfinite(*v)) return *v;
  return text;
}

inline bool same_cell(const nlohmann::json& reported, const nlohmann::json& expected) {
  if (reported.is_number() && expected.is_number()) return reported.get<double>() == expected.get<double>();
  return reported == expected;
}

// Does `row` (column -> value) equal the projection of some row of the CSV file?
inline bool row_in_csv(const nlohmann::json& row, const std::vector<io::CsvRecord>& records) {
  if (records.empty()) return false;
  const std::vector<std::string>& header = records.front().fields;
  for (size_t r = 1; r < records.size(); ++r) {
    bool all = true;
    for (const auto& [column, value] : row.items()) {
      size_t c = 0;
      while (c < header.size() && header[c] != column) ++c;
      const std::string cell = c < header.size() && c < records[r].fields.size() ? records[r].fields[c] : std::string();
      if (c == header.size() || !same_cell(value, expected_cell(cell))) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

// Does `row` equal one of the JSON source's "captions" (its image by file name)?
inline bool row_in_captions(const nlohmann::json& row, const nlohmann::json& document) {
  for (const nlohmann::json& caption : document.value("captions", nlohmann::json::array())) {
    bool all = true;
    for (const auto& [column, value] : row.items()) {
      std::string expected = caption.value(column, std::string());
      if (column == "image") expected = std::filesystem::path(expected).filename().string();
      if (!same_cell(value, expected_cell(expected))) all = false;
    }
    if (all) return true;
  }
  return false;
}

// Does `row` (the provenance table: a run and one of its inputs) match a line of runs.jsonl?
inline bool row_in_runs(const nlohmann::json& row, const std::string& jsonl) {
  size_t start = 0;
  while (start < jsonl.size()) {
    const size_t end = std::min(jsonl.find('\n', start), jsonl.size());
    const nlohmann::json run = nlohmann::json::parse(jsonl.substr(start, end - start), nullptr, false);
    start = end + 1;
    if (!run.is_object() || !same_cell(row.at("command"), expected_cell(run.value("command", ""))) ||
        !same_cell(row.at("started"), expected_cell(run.value("started", ""))) ||
        !same_cell(row.at("loupe_version"), expected_cell(run.value("loupe_version", ""))))
      continue;
    const nlohmann::json inputs = run.value("inputs", nlohmann::json::array());
    if (inputs.empty() && row.at("input").is_null()) return true;
    for (const nlohmann::json& input : inputs) {
      const nlohmann::json checksum = input.contains("sha256") ? input.at("sha256") : input.at("problem");
      if (row.at("input") == input.at("path") && row.at("sha256") == checksum &&
          (!input.contains("bytes") || row.at("bytes").get<double>() == input.at("bytes").get<double>()))
        return true;
    }
  }
  return false;
}

// Every value, table row and checksum of `report` that does not equal its source under
// `workspace`, described; empty when all do.
inline std::vector<std::string> numbers_not_from_source(const nlohmann::json& report, const std::filesystem::path& workspace) {
  std::vector<std::string> wrong;
  for (const nlohmann::json& section : report.at("sections")) {
    for (const nlohmann::json& value : section.at("values")) {
      const std::string source = value.at("source");
      const nlohmann::json document = nlohmann::json::parse(util::read_file((workspace / source).string()));
      const nlohmann::json::json_pointer at(value.at("pointer").get<std::string>());
      if (!document.contains(at) || document.at(at) != value.at("value")) wrong.push_back(source + "#" + at.to_string());
    }
    for (const nlohmann::json& image : section.at("images")) {  // the gallery: its stored top activation
      const nlohmann::json latents = nlohmann::json::parse(util::read_file((workspace / image.at("source").get<std::string>()).string()));
      bool found = false;
      for (const nlohmann::json& entry : latents)
        if (entry.at("latent") == image.at("latent"))
          for (const nlohmann::json& example : entry.at("top_examples"))
            found = found || (example.at("image") == image.at("image") && example.at("language") == image.at("language") &&
                              example.at("value").get<double>() == image.at("activation").get<double>());
      if (!found) wrong.push_back("gallery image " + image.dump().substr(0, 200));
    }
    for (const nlohmann::json& table : section.at("tables")) {
      const std::string source = table.at("source");
      if (source.empty()) {  // the checksums the report computes
        for (const nlohmann::json& row : table.at("rows")) {
          const std::string file = row.at("file");
          if (row.at("sha256") != store::sha256_file(file) || row.at("bytes") != double(std::filesystem::file_size(file)))
            wrong.push_back("checksum of " + file);
        }
        continue;
      }
      const std::string text = util::read_file((workspace / source).string());
      if (std::filesystem::path(source).extension() == ".jsonl") {
        for (const nlohmann::json& row : table.at("rows"))
          if (!row_in_runs(row, text)) wrong.push_back(source + ": " + row.dump());
        continue;
      }
      const bool csv = std::filesystem::path(source).extension() == ".csv";
      const std::vector<io::CsvRecord> records = csv ? io::parse_csv(text, source) : std::vector<io::CsvRecord>{};
      const nlohmann::json document = csv ? nlohmann::json() : nlohmann::json::parse(text);
      for (const nlohmann::json& row : table.at("rows"))
        if (!(csv ? row_in_csv(row, records) : row_in_captions(row, document))) wrong.push_back(source + ": " + row.dump());
    }
  }
  return wrong;
}

}  // namespace loupe::test
