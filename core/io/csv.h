// A small RFC 4180 CSV reader: comma-separated fields, fields in double quotes may hold commas, line
// breaks and doubled quotes (""). Also accepted: a UTF-8 byte-order mark, LF, CRLF or CR line ends,
// a last line with or without its line end, and a quote inside an unquoted field (kept literally,
// as Python's csv module and pandas read it). Blank lines are skipped. Fields are kept verbatim.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loupe::io {

struct CsvRecord {
  int line = 0;  // 1-based line where the record starts (a quoted field may span several lines)
  std::vector<std::string> fields;
};

// Throws FormatError naming `name_for_errors` and the line for a quoted field that is never closed
// or text between a closing quote and the next comma or line end.
std::vector<CsvRecord> parse_csv(std::string_view text, const std::string& name_for_errors);

// A CSV file with a header line, its columns found by name.
struct CsvTable {
  std::string name;  // for errors
  std::vector<std::string> header;
  std::vector<CsvRecord> rows;  // the records after the header, as parsed (a short row lacks its last cells)

  // The index of `column`; InputError naming the table and listing its columns when it has none.
  size_t column(const std::string& column) const;
  // The cell, empty where the row is short.
  const std::string& at(const CsvRecord& row, size_t column) const;
};

// Throws as parse_csv does, and InputError for text with no header line.
CsvTable parse_csv_table(std::string_view text, const std::string& name);

// The cell as a number when the whole of it reads as one (strtod, in range); nullopt otherwise.
std::optional<double> parse_number(const std::string& text);

}  // namespace loupe::io
