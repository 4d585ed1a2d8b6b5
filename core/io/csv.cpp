#include "core/io/csv.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "core/error.h"

namespace loupe::io {

namespace {

class CsvParser {
 public:
  CsvParser(std::string_view text, const std::string& name) : text_(text), name_(name) {
    constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
    if (text_.substr(0, kByteOrderMark.size()) == kByteOrderMark) text_.remove_prefix(kByteOrderMark.size());
  }

  std::vector<CsvRecord> parse() {
    std::vector<CsvRecord> records;
    while (!at_end()) {
      if (at_line_end()) {  // a blank line
        skip_line_end();
        continue;
      }
      CsvRecord record;
      record.line = line_;
      do record.fields.push_back(at('"') ? quoted_field() : plain_field());
      while (take(','));
      skip_line_end();
      records.push_back(std::move(record));
    }
    return records;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  bool at(char c) const { return !at_end() && text_[pos_] == c; }
  bool at_line_end() const { return at('\n') || at('\r'); }
  bool take(char c) {
    if (!at(c)) return false;
    ++pos_;
    return true;
  }
  // LF, CRLF and a lone CR each end one line.
  void skip_line_end() {
    if (take('\r')) take('\n');
    else take('\n');
    ++line_;
  }

  std::string plain_field() {
    const size_t start = pos_;
    while (!at_end() && !at(',') && !at_line_end()) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  std::string quoted_field() {
    const int opened_on = line_;
    ++pos_;  // the opening quote
    std::string field;
    for (;;) {
      if (at_end())
        throw FormatError(name_ + ": line " + std::to_string(opened_on) +
                          ": a quoted field is never closed (a \" without its closing \")");
      const char c = text_[pos_++];
      if (c == '"') {
        if (!take('"')) break;  // "" stands for one quote
      } else if (c == '\n' || (c == '\r' && !at('\n'))) {
        ++line_;
      }
      field += c;
    }
    if (!at_end() && !at(',') && !at_line_end())
      throw FormatError(name_ + ": line " + std::to_string(line_) +
                        ": text follows the closing quote of a field; a quote inside a quoted field "
                        "must be doubled (\"\")");
    return field;
  }

  std::string_view text_;
  const std::string& name_;
  size_t pos_ = 0;
  int line_ = 1;
};

}  // namespace

std::vector<CsvRecord> parse_csv(std::string_view text, const std::string& name_for_errors) {
  return CsvParser(text, name_for_errors).parse();
}

size_t CsvTable::column(const std::string& column) const {
  const auto it = std::find(header.begin(), header.end(), column);
  if (it != header.end()) return size_t(it - header.begin());
  std::string known;
  for (const std::string& h : header) known += (known.empty() ? "" : ", ") + h;
  throw InputError(name + " has no column '" + column + "'; its columns are " + known);
}

const std::string& CsvTable::at(const CsvRecord& row, size_t column) const {
  static const std::string kEmpty;
  return column < row.fields.size() ? row.fields[column] : kEmpty;
}

CsvTable parse_csv_table(std::string_view text, const std::string& name) {
  std::vector<CsvRecord> records = parse_csv(text, name);
  if (records.empty()) throw InputError(name + " is empty: it has no header line");
  CsvTable table{name, std::move(records.front().fields), {}};
  table.rows.assign(std::make_move_iterator(records.begin() + 1), std::make_move_iterator(records.end()));
  return table;
}

std::optional<double> parse_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || errno == ERANGE) return std::nullopt;
  return v;
}

}  // namespace loupe::io
