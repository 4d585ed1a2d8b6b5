#include "core/study/steering_set.h"

#include <cmath>
#include <cstdio>
#include <optional>
#include <utility>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/util/atomic_file.h"
#include "core/util/json_fields.h"

namespace loupe::study {

namespace fs = std::filesystem;

namespace {

// A relative path in a source, made relative to the set file's folder.
std::string anchored(const std::string& path, const fs::path& folder) {
  return fs::path(path).is_absolute() || folder.empty() ? path : (folder / path).string();
}

SteerSpec steer_of(const util::JsonFields& fields, const fs::path& folder) {
  const std::string hook = fields.string("hook");
  const std::string direction = fields.string("direction");
  const double alpha = fields.number("alpha");
  const std::string positions = fields.string("positions", "all");
  const std::string mode = fields.string("mode", "additive");
  for (const auto& [name, text] : {std::pair{"hook", &hook}, {"direction", &direction}, {"positions", &positions}})
    if (text->find('@') != std::string::npos) fields.fail(std::string("`") + name + "` must not hold '@'");
  if (hook.empty() || hook.find('=') != std::string::npos) fields.fail("`hook` must be a hook name such as blocks.0.hook_resid_post");
  if (!parse_steer_mode(mode)) fields.fail("`mode` must be additive, orthogonal or cap, not " + util::describe_json(mode));
  char alpha_text[40];
  std::snprintf(alpha_text, sizeof alpha_text, "%.17g", alpha);
  SteerSpec spec = parse_steer_spec(hook + "=" + direction + "@" + alpha_text + "@" + positions + "@" + mode);
  if (spec.sae_folder.empty()) {
    const size_t colon = spec.source.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == spec.source.size())
      fields.fail("`direction` must be FILE.safetensors:KEY or sae:FOLDER#LATENT, not " + util::describe_json(direction));
    spec.source = anchored(spec.source.substr(0, colon), folder) + spec.source.substr(colon);
  } else {
    spec.sae_folder = anchored(spec.sae_folder, folder);
    spec.source = "sae:" + spec.sae_folder + "#" + std::to_string(spec.sae_latent);
  }
  return spec;
}

}  // namespace

InterventionSet parse_intervention_set(std::string_view text, const std::string& where, const fs::path& folder) {
  const nlohmann::json json = util::parse_json_text(text, where);
  if (!json.is_array()) throw FormatError(where + ": a steering set is a JSON list of steers, not " + util::describe_json(json));
  if (json.empty()) throw FormatError(where + ": the steering set holds no steer");
  if (json.size() > kMaxSteeringSetSize)
    throw FormatError(where + ": a steering set holds at most " + std::to_string(kMaxSteeringSetSize) + " steers, not " +
                      std::to_string(json.size()));
  InterventionSet set;
  for (size_t i = 0; i < json.size(); ++i) {
    const util::JsonFields fields(json[i], where + ": [" + std::to_string(i) + "]");
    if (fields.has("ablate")) {
      set.ablations.push_back(parse_ablation_entry(fields, folder));
      continue;
    }
    try {
      set.steers.push_back(steer_of(fields, folder));
    } catch (const InputError& error) {  // a bad --steer word: name the entry
      throw InputError(fields.where() + ": " + error.what());
    }
  }
  return set;
}

InterventionSet read_intervention_set(const fs::path& path) {
  const std::string text = util::read_file(path.string());
  return parse_intervention_set(text, path.string(), path.parent_path());
}

std::vector<SteerSpec> parse_steering_set(std::string_view text, const std::string& where, const fs::path& folder) {
  InterventionSet set = parse_intervention_set(text, where, folder);
  if (!set.ablations.empty())
    throw FormatError(where + ": the set holds " + std::to_string(set.ablations.size()) +
                      " ablation(s); steering applies steers only (`loupe mitigate` applies both)");
  return std::move(set.steers);
}

std::vector<SteerSpec> read_steering_set(const fs::path& path) {
  const std::string text = util::read_file(path.string());
  return parse_steering_set(text, path.string(), path.parent_path());
}

std::string steering_set_json(const std::vector<SteerSpec>& set) {
  nlohmann::json out = nlohmann::json::array();
  for (const SteerSpec& spec : set)
    out.push_back({{"hook", spec.hook},
                   {"direction", spec.source},
                   {"alpha", spec.alpha},
                   {"positions", positions_word(spec.positions)},
                   {"mode", steer_mode_word(spec.mode)}});
  return out.dump(2) + "\n";
}

void write_steering_set(const fs::path& path, const std::vector<SteerSpec>& set) {
  util::write_file_atomic(path.string(), steering_set_json(set));
}

namespace {

// A finite number that is the whole of `text`.
std::optional<double> whole_number(const std::string& text) {
  if (text.empty() || text.find_first_of(" \t\n\v\f\r") != std::string::npos) return std::nullopt;
  try {
    size_t used = 0;
    const double value = std::stod(text, &used);
    if (used == text.size() && std::isfinite(value)) return value;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

}  // namespace

std::vector<double> parse_alpha_sweep(const std::string& word) {
  const std::string usage = "--sweep takes alpha=FROM:TO:STEP, e.g. alpha=-8:8:1";
  if (word.rfind("alpha=", 0) != 0) throw InputError(usage + ", not '" + word.substr(0, 80) + "'");
  const std::string range = word.substr(6);
  const size_t first = range.find(':');
  const size_t second = first == std::string::npos ? std::string::npos : range.find(':', first + 1);
  if (second == std::string::npos || range.find(':', second + 1) != std::string::npos)
    throw InputError(usage + ", not '" + word.substr(0, 80) + "'");
  const auto from = whole_number(range.substr(0, first));
  const auto to = whole_number(range.substr(first + 1, second - first - 1));
  const auto step = whole_number(range.substr(second + 1));
  if (!from || !to || !step) throw InputError(usage + " with finite numbers, not '" + word.substr(0, 80) + "'");
  if (*step == 0 || (*to - *from) * *step < 0)
    throw InputError("--sweep " + word + " has no steps: STEP must be non-zero and lead from FROM to TO");
  const double count = std::floor((*to - *from) / *step + 1e-6) + 1;
  if (count > double(kMaxSweepSteps))
    throw InputError("--sweep " + word + " has " + std::to_string(int64_t(count)) + " steps; at most " +
                     std::to_string(kMaxSweepSteps) + " are allowed");
  std::vector<double> alphas;
  for (int64_t i = 0; i < int64_t(count); ++i) alphas.push_back(*from + double(i) * *step);
  return alphas;
}

}  // namespace loupe::study
