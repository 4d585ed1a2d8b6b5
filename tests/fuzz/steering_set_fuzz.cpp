// Fuzzes the steering- and ablation-set file (`loupe steer --set`, `loupe mitigate --set`,
// core/study/steering_set.h): the input as the set's JSON; whatever parses must write back to a
// file that parses to the same steers and ablations.
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/study/steering_set.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace loupe::study;
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const InterventionSet set = parse_intervention_set(text, "set.json", "");
    nlohmann::ordered_json written = nlohmann::ordered_json::parse(set.steers.empty() ? "[]" : steering_set_json(set.steers));
    for (const AblationSpec& spec : set.ablations) written.push_back(ablation_entry_json(spec));
    const InterventionSet again = parse_intervention_set(written.dump(), "again.json", "");
    if (again.steers.size() != set.steers.size() || again.ablations.size() != set.ablations.size()) std::abort();
    for (size_t i = 0; i < set.steers.size(); ++i)
      if (steer_spec_word(again.steers[i]) != steer_spec_word(set.steers[i])) std::abort();  // the round trip changed it
    for (size_t i = 0; i < set.ablations.size(); ++i)
      if (ablation_entry_json(again.ablations[i]) != ablation_entry_json(set.ablations[i])) std::abort();
  } catch (const loupe::Error&) {
  }
  return 0;
}
