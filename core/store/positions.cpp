#include "core/store/positions.h"

#include "core/error.h"
#include "core/text/token_type.h"

namespace loupe::store {

namespace {

struct RuleName {
  PositionRule rule;
  const char* name;
};
constexpr RuleName kRules[] = {{PositionRule::All, "all"},        {PositionRule::Image, "image"},
                               {PositionRule::Text, "text"},      {PositionRule::Last, "last"},
                               {PositionRule::MeanImage, "mean-image"}, {PositionRule::MeanText, "mean-text"}};

}  // namespace

PositionRule parse_position_rule(const std::string& word) {
  for (const auto& entry : kRules)
    if (word == entry.name) return entry.rule;
  throw InputError("unknown position rule '" + word + "'; use all, image, text, last, mean-image or mean-text");
}

const char* position_rule_name(PositionRule rule) {
  for (const auto& entry : kRules)
    if (entry.rule == rule) return entry.name;
  return "?";
}

bool is_pooled(PositionRule rule) { return rule == PositionRule::MeanImage || rule == PositionRule::MeanText; }

Selection select_positions(PositionRule rule, const std::vector<int8_t>& types) {
  Selection selection;
  selection.pooled = is_pooled(rule);
  const int64_t length = int64_t(types.size());
  if (rule == PositionRule::Last) {
    if (length > 0) {
      selection.positions.push_back(length - 1);
      selection.types.push_back(types.back());
    }
    return selection;
  }
  const bool want_image = rule == PositionRule::Image || rule == PositionRule::MeanImage;
  const bool want_text = rule == PositionRule::Text || rule == PositionRule::MeanText;
  for (int64_t p = 0; p < length; ++p) {
    const int8_t type = types[size_t(p)];
    if (rule == PositionRule::All || (want_image && type == kImageToken) || (want_text && type == kTextToken)) {
      selection.positions.push_back(p);
      if (!selection.pooled) selection.types.push_back(type);
    }
  }
  if (selection.pooled && !selection.positions.empty())
    selection.types.push_back(want_image ? int8_t(kImageToken) : int8_t(kTextToken));
  return selection;
}

}  // namespace loupe::store
