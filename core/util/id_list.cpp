#include "core/util/id_list.h"

#include "core/error.h"
#include "core/util/atomic_file.h"
#include "core/util/json_fields.h"

namespace loupe::util {

namespace {

// `word` quoted for a message, cut to 40 bytes.
std::string quoted(std::string_view word) {
  return "'" + std::string(word.substr(0, 40)) + (word.size() > 40 ? "...'" : "'");
}

}  // namespace

std::optional<int64_t> parse_listed_id(std::string_view word) {
  if (word.empty() || word.size() > 13) return std::nullopt;  // 2^40 has 13 digits
  int64_t value = 0;
  for (char c : word) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value > kMaxListedId) return std::nullopt;
  return value;
}

std::vector<int64_t> parse_id_list(std::string_view text, const std::string& what) {
  if (text.empty()) throw InputError(what + " is empty; give comma-separated integers from 0, e.g. 2,43,7");
  std::vector<int64_t> ids;
  for (size_t start = 0;;) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view word = text.substr(start, comma - start);
    const std::optional<int64_t> id = parse_listed_id(word);
    if (!id)
      throw InputError(what + " takes comma-separated integers from 0 to " + std::to_string(kMaxListedId) + "; " +
                       (word.empty() ? "an item is empty" : quoted(word) + " is not one") + " (in " + quoted(text) + ")");
    if (ids.size() == kMaxListedIds) throw InputError(what + " lists more than " + std::to_string(kMaxListedIds) + " items");
    ids.push_back(*id);
    if (comma == text.size()) return ids;
    start = comma + 1;
  }
}

std::vector<int64_t> parse_id_json(std::string_view text, const std::string& where) {
  const nlohmann::json list = parse_json_text(text, where);
  if (!list.is_array()) throw FormatError(where + " must hold a JSON array of token ids, not " + describe_json(list));
  if (list.empty()) throw FormatError(where + " holds an empty array; it needs at least one token id");
  if (list.size() > kMaxListedIds) throw FormatError(where + " holds more than " + std::to_string(kMaxListedIds) + " ids");
  std::vector<int64_t> ids;
  for (size_t i = 0; i < list.size(); ++i) {
    const nlohmann::json& item = list[i];
    const bool in_range = item.is_number_unsigned() || (item.is_number_integer() && item.get<int64_t>() >= 0);
    if (!in_range || item.get<uint64_t>() > uint64_t(kMaxListedId))
      throw FormatError(where + ": item " + std::to_string(i) + " must be an integer from 0 to " +
                        std::to_string(kMaxListedId) + ", not " + describe_json(item));
    ids.push_back(item.get<int64_t>());
  }
  return ids;
}

std::vector<int64_t> read_id_argument(const std::string& argument, const std::string& what) {
  if (argument.rfind('@', 0) != 0) return parse_id_list(argument, what);
  const std::string path = argument.substr(1);
  if (path.empty()) throw InputError(what + " @FILE needs a file name after @");
  return parse_id_json(read_file(path), path);
}

}  // namespace loupe::util
