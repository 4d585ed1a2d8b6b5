#include "core/study/steer_positions.h"

#include "core/error.h"

namespace loupe::study {

namespace {

int64_t parse_position(const std::string& item, const std::string& word) {
  size_t used = 0;
  long long value = -1;
  try {
    value = std::stoll(item, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (item.empty() || used != item.size() || value < 0)
    throw InputError("positions are image, text, generated, all, or a comma list of positions from 0 (got '" + word + "')");
  return value;
}

}  // namespace

PositionChoice parse_position_choice(const std::string& word) {
  if (word == "image") return {SteerPositions::Image, {}};
  if (word == "text") return {SteerPositions::Text, {}};
  if (word == "generated") return {SteerPositions::Generated, {}};
  if (word == "all") return {SteerPositions::All, {}};
  PositionChoice choice{SteerPositions::List, {}};
  size_t start = 0;
  for (;;) {
    const size_t comma = word.find(',', start);
    choice.list.push_back(parse_position(word.substr(start, comma - start), word));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return choice;
}

std::string position_choice_word(const PositionChoice& choice) {
  switch (choice.kind) {
    case SteerPositions::Image: return "image";
    case SteerPositions::Text: return "text";
    case SteerPositions::Generated: return "generated";
    case SteerPositions::All: return "all";
    case SteerPositions::List: break;
  }
  std::string list;
  for (int64_t p : choice.list) list += (list.empty() ? "" : ",") + std::to_string(p);
  return list;
}

}  // namespace loupe::study
