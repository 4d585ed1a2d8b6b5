#include "core/text/position_selector.h"

#include <optional>

#include "core/error.h"
#include "core/text/token_type.h"
#include "core/util/id_list.h"

namespace loupe {

namespace {

struct KindWord {
  PositionKind kind;
  const char* word;
};
constexpr KindWord kKinds[] = {{PositionKind::All, "all"},           {PositionKind::Image, "image"},
                               {PositionKind::Text, "text"},         {PositionKind::Template, "template"},
                               {PositionKind::NonImage, "non-image"}, {PositionKind::Last, "last"}};

const char* const kWords = "all, image, text, template, non-image, last, mean-image, mean-text, mean-template";

std::string shortened(const std::string& word) { return word.size() > 60 ? word.substr(0, 60) + "..." : word; }

std::optional<PositionKind> kind_of(const std::string& word) {
  for (const auto& entry : kKinds)
    if (word == entry.word) return entry.kind;
  if (word == "generated") return PositionKind::Text;  // the older steering word
  return std::nullopt;
}

bool picks(PositionKind kind, int8_t type) {
  switch (kind) {
    case PositionKind::All: return true;
    case PositionKind::Image: return type == kImageToken;
    case PositionKind::Text: return type == kTextToken;
    case PositionKind::Template: return type == kTemplateToken;
    case PositionKind::NonImage: return type != kImageToken;
    case PositionKind::Last:
    case PositionKind::List: break;
  }
  return false;
}

}  // namespace

int pooled_type(PositionKind kind) {
  switch (kind) {
    case PositionKind::Image: return kImageToken;
    case PositionKind::Text: return kTextToken;
    case PositionKind::Template: return kTemplateToken;
    default: return -1;
  }
}

PositionSelector parse_positions(const std::string& word) {
  PositionSelector selector;
  if (const auto kind = kind_of(word)) {
    selector.kind = *kind;
    return selector;
  }
  if (word.rfind("mean-", 0) == 0) {
    const auto kind = kind_of(word.substr(5));
    if (kind && pooled_type(*kind) >= 0) {
      selector.kind = *kind;
      selector.mean = true;
      return selector;
    }
  }
  selector.kind = PositionKind::List;
  size_t start = 0;
  for (;;) {
    const size_t comma = word.find(',', start);
    const std::optional<int64_t> position = util::parse_listed_id(word.substr(start, comma - start));
    if (!position)
      throw InputError(std::string("positions are ") + kWords + ", or a comma list of positions from 0 (got '" +
                       shortened(word) + "')");
    selector.list.push_back(*position);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return selector;
}

std::string positions_word(const PositionSelector& selector) {
  if (selector.kind == PositionKind::List) {
    std::string list;
    for (int64_t p : selector.list) list += (list.empty() ? "" : ",") + std::to_string(p);
    return list;
  }
  for (const auto& entry : kKinds)
    if (entry.kind == selector.kind) return (selector.mean ? "mean-" : "") + std::string(entry.word);
  return "all";
}

void require_positions(const PositionSelector& selector, const PositionUse& use) {
  const bool refused = (selector.mean && !use.pooled) || (selector.kind == PositionKind::Last && !use.last) ||
                       (selector.kind == PositionKind::List && !use.list);
  if (!refused) return;
  std::string words = "all, image, text, template, non-image";
  if (use.last) words += ", last";
  if (use.pooled) words += ", mean-image, mean-text, mean-template";
  if (use.list) words += " or a comma list of positions";
  throw InputError("positions '" + shortened(positions_word(selector)) + "' are not for " + use.action + "; it takes " +
                   words);
}

std::vector<int64_t> select_positions(const PositionSelector& selector, const std::vector<int8_t>& types) {
  const int64_t length = int64_t(types.size());
  std::vector<int64_t> positions;
  if (selector.kind == PositionKind::Last) {
    if (length > 0) positions.push_back(length - 1);
  } else if (selector.kind == PositionKind::List) {
    for (int64_t p : selector.list)
      if (p < length) positions.push_back(p);
  } else {
    for (int64_t p = 0; p < length; ++p)
      if (picks(selector.kind, types[size_t(p)])) positions.push_back(p);
  }
  return positions;
}

}  // namespace loupe
