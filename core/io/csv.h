// A small RFC 4180 CSV reader: comma-separated fields, fields in double quotes may hold commas, line
// breaks and doubled quotes (""). Also accepted: a UTF-8 byte-order mark, LF, CRLF or CR line ends,
// a last line with or without its line end, and a quote inside an unquoted field (kept literally,
// as Python's csv module and pandas read it). Blank lines are skipped. Fields are kept verbatim.
#pragma once
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

}  // namespace loupe::io
