// Fuzzes the steering position words of `--steer ...@POSITIONS` and the desktop app's menu
// (image, text, generated, all, or "6,14,29"): whatever parses must print back to a word that
// parses to the same choice.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.h"
#include "core/study/steer_positions.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace loupe::study;
  const std::string word(reinterpret_cast<const char*>(data), size);
  try {
    const PositionChoice choice = parse_position_choice(word);
    const PositionChoice again = parse_position_choice(position_choice_word(choice));
    if (again.kind != choice.kind || again.list != choice.list) std::abort();  // the round trip changed it
  } catch (const loupe::InputError&) {
  }
  return 0;
}
