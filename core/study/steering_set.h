// A steering set: the steers a study applies together, as a JSON file (a list of objects), which
// `loupe steer --set` reads:
//   [{"hook": "blocks.0.hook_resid_post", "direction": "gender.safetensors:gender-caption",
//     "alpha": -2, "positions": "image", "mode": "additive"}]
// `direction` is a `--steer` source: FILE.safetensors:KEY, or sae:FOLDER#LATENT (one SAE latent's
// decoder row); a relative FILE or FOLDER is relative to the set file's folder. `positions`
// (default "all") and `mode` (default "additive": also "orthogonal", "cap") use the `--steer`
// words. Torch-free: the vectors are read when the set is applied (study::parse_steer).
// The same list may hold ablations (objects with an "ablate" key, core/study/ablation_set.h): an
// intervention set, which `loupe mitigate` applies; `loupe steer` and the sliders take steers only.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/study/ablation_set.h"
#include "core/study/steer_positions.h"

namespace loupe::study {

// At most this many steers and ablations in a set.
constexpr size_t kMaxSteeringSetSize = 256;

// A set file's steers and ablations, each in file order.
struct InterventionSet {
  std::vector<SteerSpec> steers;
  std::vector<AblationSpec> ablations;
};
// Parses a set file's text as parse_steering_set does, ablations included.
InterventionSet parse_intervention_set(std::string_view text, const std::string& where, const std::filesystem::path& folder);
InterventionSet read_intervention_set(const std::filesystem::path& path);

// Parses a set file's text; `where` names it in errors ("FILE: [2] `alpha` must be a number, not
// "x""), `folder` is the folder relative sources are read from. Throws FormatError for a file
// that is not such a list or holds an ablation, InputError for a bad `--steer` word in it.
std::vector<SteerSpec> parse_steering_set(std::string_view text, const std::string& where,
                                          const std::filesystem::path& folder);
// Reads and parses the file at `path`. IoError when it cannot be read.
std::vector<SteerSpec> read_steering_set(const std::filesystem::path& path);

// The set as its file holds it (sources as written in each spec), and written atomically.
std::string steering_set_json(const std::vector<SteerSpec>& set);
void write_steering_set(const std::filesystem::path& path, const std::vector<SteerSpec>& set);

// At most this many steps in a sweep.
constexpr size_t kMaxSweepSteps = 1024;

// `--sweep alpha=FROM:TO:STEP` → FROM, FROM + STEP, ... up to TO (included when reached within a
// millionth of a step). STEP > 0 with FROM <= TO, or STEP < 0 with FROM >= TO. Throws InputError
// for any other word, a sweep with no steps or more than kMaxSweepSteps.
std::vector<double> parse_alpha_sweep(const std::string& word);

}  // namespace loupe::study
