// Where a steering vector is added: one vocabulary for `--steer ...@POSITIONS` and the desktop
// app's position menu. Torch-free.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace loupe::study {

enum class SteerPositions {
  Image,      // the prompt's image tokens
  Text,       // the prompt's other tokens and every generated one
  Generated,  // generated tokens only
  All,        // every position
  List,       // the absolute positions in PositionChoice::list
};

struct PositionChoice {
  SteerPositions kind = SteerPositions::All;
  std::vector<int64_t> list;  // kind List: absolute positions (prompt and generated alike)
};

// "image", "text", "generated", "all", or a comma list of positions ("6,14,29"). Throws InputError.
PositionChoice parse_position_choice(const std::string& word);
std::string position_choice_word(const PositionChoice& choice);  // the inverse of parse

}  // namespace loupe::study
