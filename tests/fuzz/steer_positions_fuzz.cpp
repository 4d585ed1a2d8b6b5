// Fuzzes the positions words (core/text/position_selector.h) of `--steer ...@POSITIONS`,
// `--positions` and the desktop app's menu (all, image, text, template, non-image, last, mean-*,
// or "6,14,29"): whatever parses must print back to a word that parses to the same selector.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.h"
#include "core/text/position_selector.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string word(reinterpret_cast<const char*>(data), size);
  try {
    const loupe::PositionSelector selector = loupe::parse_positions(word);
    if (!(loupe::parse_positions(loupe::positions_word(selector)) == selector)) std::abort();  // the round trip changed it
  } catch (const loupe::InputError&) {
  }
  return 0;
}
