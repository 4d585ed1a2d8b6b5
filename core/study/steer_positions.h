// Where a steering vector is added: one vocabulary for `--steer ...@POSITIONS` and the desktop
// app's position menu, and the words of a `--steer` spec. Torch-free.
#pragma once
#include <cstdint>
#include <optional>
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

// "image", "text", "generated", "all", or a comma list of positions ("6,14,29": digits only, as
// util::parse_listed_id reads them). Throws InputError.
PositionChoice parse_position_choice(const std::string& word);
std::string position_choice_word(const PositionChoice& choice);  // the inverse of parse

// How a steer changes the hook's vector x at its positions, with d̂ = d / ‖d‖ (Neuronpedia's three):
enum class SteerMode {
  Additive,    // x + α d
  Orthogonal,  // x − (x·d̂) d̂ + α d: the component along d replaced
  Cap,         // x − max(0, x·d̂ − α) d̂: the projection on d̂ clamped to at most α
};
// "additive", "orthogonal", "cap"; std::nullopt for any other word.
std::optional<SteerMode> parse_steer_mode(const std::string& word);
const char* steer_mode_word(SteerMode mode);

// `--steer HOOK=SOURCE@ALPHA[@POSITIONS][@MODE]` split into its words, before any file is read. SOURCE is
// FILE.safetensors:KEY or sae:FOLDER#LATENT (one SAE latent's decoder row).
struct SteerSpec {
  std::string hook;
  std::string source;      // as written, for messages
  std::string sae_folder;  // sae:FOLDER#LATENT; empty for a FILE:KEY source
  int64_t sae_latent = -1;
  double alpha = 0;        // finite
  PositionChoice positions;  // All when not given
  SteerMode mode = SteerMode::Additive;
};
// Throws InputError naming the part that is wrong.
SteerSpec parse_steer_spec(const std::string& spec);
// The spec as `--steer` takes it (alpha to 17 digits, so it reads back to the same double); the
// positions and the mode only when they are not the defaults.
std::string steer_spec_word(const SteerSpec& spec);

}  // namespace loupe::study
