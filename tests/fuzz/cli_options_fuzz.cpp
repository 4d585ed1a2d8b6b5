// Fuzzes the option words the CLI parses itself: `--ids 2,43,7` and the JSON array of `--ids
// @FILE`, `--positions 6,14,29`, and whole `--steer HOOK=SOURCE@ALPHA[@POSITIONS]` specs (before any
// file is read). A parsed id list must print back to the same ids; a parsed spec must hold a
// finite alpha and, for an SAE source, a latent from 0.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.h"
#include "core/study/steer_positions.h"
#include "core/util/id_list.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace loupe;
  const std::string word(reinterpret_cast<const char*>(data), size);
  try {
    const std::vector<int64_t> ids = util::parse_id_list(word, "--ids");
    std::string printed;
    for (int64_t id : ids) printed += (printed.empty() ? "" : ",") + std::to_string(id);
    if (util::parse_id_list(printed, "--ids") != ids) std::abort();  // the round trip changed them
  } catch (const InputError&) {
  }
  try {
    for (int64_t id : util::parse_id_json(word, "ids.json"))
      if (id < 0 || id > util::kMaxListedId) std::abort();
  } catch (const FormatError&) {
  }
  try {
    const study::SteerSpec steer = study::parse_steer_spec(word);
    if (!std::isfinite(steer.alpha) || steer.hook.find('=') != std::string::npos) std::abort();
    if (!steer.sae_folder.empty() && steer.sae_latent < 0) std::abort();
  } catch (const InputError&) {
  }
  return 0;
}
