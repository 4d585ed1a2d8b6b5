// Lists of non-negative integers given on the command line: token ids (`--ids 2,43,7` or
// `--ids @ids.json`) and positions (`--positions 6,14,29`, `--steer ...@6,14`). Torch-free.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loupe::util {

// Ids and positions above this are refused (far past any vocabulary or sequence).
constexpr int64_t kMaxListedId = (int64_t(1) << 40) - 1;
// A list holds at most this many items.
constexpr size_t kMaxListedIds = size_t(1) << 20;

// "6" → 6: decimal digits only (no sign, space, point or exponent), at most kMaxListedId; nullopt
// for anything else.
std::optional<int64_t> parse_listed_id(std::string_view word);

// "2,43,7" → {2, 43, 7}. Throws InputError naming `what` ("--ids") for an empty list, an empty item
// or an item that is not an id.
std::vector<int64_t> parse_id_list(std::string_view text, const std::string& what);

// A JSON array of ids ("[2, 43, 7]"); `where` names the file in errors. Throws FormatError for
// malformed JSON, another type, or an item that is not an integer in range (10.9, -1, "7").
std::vector<int64_t> parse_id_json(std::string_view text, const std::string& where);

// `--ids` as given: "@FILE" reads FILE with parse_id_json, anything else is parse_id_list.
std::vector<int64_t> read_id_argument(const std::string& argument, const std::string& what);

}  // namespace loupe::util
