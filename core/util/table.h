// One result table for every analysis: named, typed columns, rows of cells, and the two writers
// that the CLI (`--json`, `.csv` files), the desktop app's panels and reports all use.
//
// A cell is empty (written as an empty CSV field and JSON null), an integer, a real or a text.
// Reals are written with 9 significant digits (float32 round-trips); NaN and infinities are written
// as empty cells, since neither CSV readers nor JSON agree on them.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace loupe::util {

enum class ColumnType { Integer, Real, Text };

struct Column {
  std::string name;
  ColumnType type = ColumnType::Real;
};

using Cell = std::variant<std::monostate, int64_t, double, std::string>;

class Table {
 public:
  // Throws InputError for an empty or repeated column name.
  explicit Table(std::vector<Column> columns);

  // One cell per column, each empty or of its column's type (an integer is accepted in a real
  // column). Throws InputError naming the column otherwise.
  void add_row(std::vector<Cell> cells);

  const std::vector<Column>& columns() const { return columns_; }
  size_t row_count() const { return rows_.size(); }
  const Cell& cell(size_t row, size_t column) const { return rows_.at(row).at(column); }
  size_t column_index(const std::string& name) const;  // InputError listing the columns if absent

  // RFC 4180: a header line, then one line per row; fields holding a comma, quote or line break
  // are quoted, quotes doubled.
  std::string csv() const;
  // [{column: value or null, ...}, ...] in column order.
  nlohmann::ordered_json json() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<Cell>> rows_;
};

// Writes folder/NAME.csv and folder/NAME.json (indented), each atomically, creating the folder.
void write_table_files(const std::filesystem::path& folder, const std::string& name, const Table& table);

}  // namespace loupe::util
