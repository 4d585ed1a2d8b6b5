#include "core/util/table.h"

#include <cmath>
#include <cstdio>
#include <set>

#include "core/error.h"
#include "core/util/atomic_file.h"

namespace loupe::util {

namespace {

bool is_finite_real(const Cell& cell) { return std::holds_alternative<double>(cell) && std::isfinite(std::get<double>(cell)); }

std::string real_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string cell_text(const Cell& cell) {
  if (std::holds_alternative<int64_t>(cell)) return std::to_string(std::get<int64_t>(cell));
  if (is_finite_real(cell)) return real_text(std::get<double>(cell));
  if (std::holds_alternative<std::string>(cell)) return csv_field(std::get<std::string>(cell));
  return "";
}

nlohmann::ordered_json cell_json(const Cell& cell) {
  if (std::holds_alternative<int64_t>(cell)) return std::get<int64_t>(cell);
  if (is_finite_real(cell)) return std::get<double>(cell);
  if (std::holds_alternative<std::string>(cell)) return std::get<std::string>(cell);
  return nullptr;
}

bool fits(const Cell& cell, ColumnType type) {
  switch (type) {
    case ColumnType::Integer: return std::holds_alternative<int64_t>(cell);
    case ColumnType::Real: return std::holds_alternative<double>(cell) || std::holds_alternative<int64_t>(cell);
    case ColumnType::Text: return std::holds_alternative<std::string>(cell);
  }
  return false;
}

const char* type_name(ColumnType type) {
  switch (type) {
    case ColumnType::Integer: return "an integer";
    case ColumnType::Real: return "a real number";
    case ColumnType::Text: return "a text";
  }
  return "";
}

}  // namespace

Table::Table(std::vector<Column> columns) : columns_(std::move(columns)) {
  std::set<std::string> names;
  for (const Column& column : columns_) {
    if (column.name.empty()) throw InputError("a table column needs a name");
    if (!names.insert(column.name).second) throw InputError("the table column '" + column.name + "' is named twice");
  }
}

void Table::add_row(std::vector<Cell> cells) {
  if (cells.size() != columns_.size())
    throw InputError("a table row has " + std::to_string(cells.size()) + " cells for " + std::to_string(columns_.size()) +
                     " columns");
  for (size_t c = 0; c < cells.size(); ++c) {
    if (std::holds_alternative<std::monostate>(cells[c])) continue;
    if (!fits(cells[c], columns_[c].type))
      throw InputError("the table column '" + columns_[c].name + "' holds " + type_name(columns_[c].type));
    if (columns_[c].type == ColumnType::Real && std::holds_alternative<int64_t>(cells[c]))
      cells[c] = double(std::get<int64_t>(cells[c]));
  }
  rows_.push_back(std::move(cells));
}

size_t Table::column_index(const std::string& name) const {
  std::string names;
  for (size_t c = 0; c < columns_.size(); ++c) {
    if (columns_[c].name == name) return c;
    names += (c ? ", " : "") + columns_[c].name;
  }
  throw InputError("the table has no column '" + name + "' (it has " + names + ")");
}

std::string Table::csv() const {
  std::string text;
  for (size_t c = 0; c < columns_.size(); ++c) text += (c ? "," : "") + csv_field(columns_[c].name);
  text += "\n";
  for (const std::vector<Cell>& row : rows_) {
    for (size_t c = 0; c < row.size(); ++c) text += (c ? "," : "") + cell_text(row[c]);
    text += "\n";
  }
  return text;
}

nlohmann::ordered_json Table::json() const {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const std::vector<Cell>& row : rows_) {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (size_t c = 0; c < row.size(); ++c) object[columns_[c].name] = cell_json(row[c]);
    rows.push_back(std::move(object));
  }
  return rows;
}

void write_table_files(const std::filesystem::path& folder, const std::string& name, const Table& table) {
  create_folders(folder);
  write_file_atomic((folder / (name + ".csv")).string(), table.csv());
  write_file_atomic((folder / (name + ".json")).string(), table.json().dump(2) + "\n");
}

}  // namespace loupe::util
