// Fuzzes the steering-set file (`loupe steer --set`, core/study/steering_set.h): the input as the
// set's JSON; whatever parses must write back to a file that parses to the same steers.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.h"
#include "core/study/steering_set.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace loupe::study;
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const std::vector<SteerSpec> set = parse_steering_set(text, "set.json", "");
    const std::vector<SteerSpec> again = parse_steering_set(steering_set_json(set), "again.json", "");
    if (again.size() != set.size()) std::abort();
    for (size_t i = 0; i < set.size(); ++i)
      if (steer_spec_word(again[i]) != steer_spec_word(set[i])) std::abort();  // the round trip changed it
  } catch (const loupe::Error&) {
  }
  return 0;
}
