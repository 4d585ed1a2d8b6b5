#include "core/study/steer_positions.h"

#include <cmath>
#include <cstdio>
#include <optional>

#include "core/error.h"
#include "core/util/id_list.h"

namespace loupe::study {

std::optional<SteerMode> parse_steer_mode(const std::string& word) {
  if (word == "additive") return SteerMode::Additive;
  if (word == "orthogonal") return SteerMode::Orthogonal;
  if (word == "cap") return SteerMode::Cap;
  return std::nullopt;
}

const char* steer_mode_word(SteerMode mode) {
  switch (mode) {
    case SteerMode::Additive: return "additive";
    case SteerMode::Orthogonal: return "orthogonal";
    case SteerMode::Cap: return "cap";
  }
  return "additive";
}

SteerSpec parse_steer_spec(const std::string& spec) {
  const size_t equals = spec.find('=');
  const size_t at = equals == std::string::npos ? std::string::npos : spec.find('@', equals);
  if (equals == std::string::npos || at == std::string::npos)
    throw InputError("--steer expects HOOK=FILE.safetensors:KEY@ALPHA[@POSITIONS][@MODE], got '" + spec + "'");
  SteerSpec steer;
  steer.hook = spec.substr(0, equals);
  steer.source = spec.substr(equals + 1, at - equals - 1);
  if (steer.source.rfind("sae:", 0) == 0) {
    const size_t hash = steer.source.rfind('#');
    const std::optional<int64_t> latent =
        hash == std::string::npos ? std::nullopt : util::parse_listed_id(std::string_view(steer.source).substr(hash + 1));
    if (!latent || hash < 5)
      throw InputError("--steer: an SAE source is sae:FOLDER#LATENT (a latent from 0), got '" + steer.source + "'");
    steer.sae_folder = steer.source.substr(4, hash - 4);
    steer.sae_latent = *latent;
  }
  const size_t second_at = spec.find('@', at + 1);
  const std::string alpha_text = spec.substr(at + 1, second_at == std::string::npos ? std::string::npos : second_at - at - 1);
  size_t used = 0;
  try {
    steer.alpha = std::stod(alpha_text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (alpha_text.empty() || used != alpha_text.size() || !std::isfinite(steer.alpha) ||
      alpha_text.find_first_of(" \t\n\v\f\r") != std::string::npos)
    throw InputError("--steer: '" + alpha_text + "' is not a finite number (the ALPHA after @)");
  // Then at most one positions word and one mode word, in that order.
  std::vector<std::string> rest;
  for (size_t from = second_at; from != std::string::npos;) {
    const size_t next = spec.find('@', from + 1);
    rest.push_back(spec.substr(from + 1, next == std::string::npos ? std::string::npos : next - from - 1));
    from = next;
  }
  if (rest.size() > 2)
    throw InputError("--steer: after ALPHA come at most @POSITIONS and @MODE, got '" + spec.substr(second_at) + "'");
  if (!rest.empty()) {
    const std::optional<SteerMode> last_mode = parse_steer_mode(rest.back());
    if (last_mode) {
      steer.mode = *last_mode;
      rest.pop_back();
    } else if (rest.size() == 2) {
      throw InputError("--steer: '" + rest.back() + "' is not a steering mode (additive, orthogonal or cap)");
    }
    if (!rest.empty()) {
      steer.positions = parse_positions(rest.front());
      require_positions(steer.positions, kSteerPositions);
    }
  }
  return steer;
}

std::string steer_spec_word(const SteerSpec& spec) {
  char alpha[40];
  std::snprintf(alpha, sizeof alpha, "%.17g", spec.alpha);
  std::string word = spec.hook + "=" + spec.source + "@" + alpha;
  if (!(spec.positions == PositionSelector{})) word += "@" + positions_word(spec.positions);
  if (spec.mode != SteerMode::Additive) word += std::string("@") + steer_mode_word(spec.mode);
  return word;
}

}  // namespace loupe::study
