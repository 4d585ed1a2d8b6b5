#include "core/study/steering.h"

#include <cmath>

#include "core/error.h"
#include "core/text/token_type.h"
#include "core/model/hook_names.h"
#include "core/sae/sae_io.h"
#include "core/tensor/convert.h"

namespace loupe::study {

bool is_steerable(const model::HookPoint& point) {
  using model::Site;
  return !(point.site == Site::Q || point.site == Site::K || point.site == Site::V || point.site == Site::Z ||
           model::is_attention_map(point.site) || point.site == Site::Logits);
}

void check_steerable(const model::HookPoint& point, const io::ModelConfig& config) {
  if (!is_steerable(point))
    throw InputError("steer at a residual, attention-output or MLP hook, not " + model::hook_name(point) +
                     " (" + std::to_string(config.text.layers) + " decoder layers: blocks.0 to blocks." +
                     std::to_string(config.text.layers - 1) + ")");
}

Steer make_steer(const std::string& hook, const torch::Tensor& vector, double alpha, PositionChoice positions,
                 const io::ModelConfig& config, const std::string& what) {
  Steer steer;
  steer.point = model::parse_hook(hook, config);
  check_steerable(steer.point, config);
  if (!std::isfinite(alpha)) throw InputError("the steering strength for " + what + " is not a finite number");
  const int64_t width = model::hook_width(steer.point, config);
  if (vector.numel() != width)
    throw InputError(what + " has " + std::to_string(vector.numel()) + " values but " + hook + " is " +
                     std::to_string(width) + " wide; choose a hook " + std::to_string(vector.numel()) + " wide for it");
  steer.vector = vector.flatten().to(torch::kFloat32);  // [d]
  if (!torch::isfinite(steer.vector).all().item<bool>()) throw InputError(what + " holds NaN or infinite values");
  steer.alpha = alpha;
  steer.positions = std::move(positions);
  return steer;
}

namespace {

// "FILE.safetensors:KEY", or "sae:FOLDER#LATENT" for one SAE latent's decoder row.
torch::Tensor steer_vector(const std::string& reference) {
  if (reference.rfind("sae:", 0) != 0) return tensor::load_reference(reference);
  const size_t hash = reference.rfind('#');
  const std::string latent_text = hash == std::string::npos ? "" : reference.substr(hash + 1);
  size_t used = 0;
  long long latent = -1;
  try {
    latent = std::stoll(latent_text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (hash == std::string::npos || hash < 5 || latent_text.empty() || used != latent_text.size() || latent < 0)
    throw InputError("--steer: an SAE source is sae:FOLDER#LATENT (a latent from 0), got '" + reference + "'");
  const std::string folder = reference.substr(4, hash - 4);
  const sae::Sae loaded = sae::load_sae(folder);
  if (latent >= loaded.config.d_sae)
    throw InputError("--steer: latent " + std::to_string(latent) + " is outside 0.." + std::to_string(loaded.config.d_sae - 1) +
                     " of the SAE " + folder);
  return loaded.W_dec[latent].clone();  // [d_in]
}

}  // namespace

Steer parse_steer(const std::string& spec, const io::ModelConfig& config) {
  const size_t equals = spec.find('=');
  const size_t at = equals == std::string::npos ? std::string::npos : spec.find('@', equals);
  if (equals == std::string::npos || at == std::string::npos)
    throw InputError("--steer expects HOOK=FILE.safetensors:KEY@ALPHA[@POSITIONS], got '" + spec + "'");
  const size_t second_at = spec.find('@', at + 1);
  const std::string alpha_text = spec.substr(at + 1, second_at == std::string::npos ? std::string::npos : second_at - at - 1);
  const std::string hook = spec.substr(0, equals), reference = spec.substr(equals + 1, at - equals - 1);
  model::parse_hook(hook, config);  // an unknown hook is reported before the file is read
  size_t used = 0;
  double alpha = 0;
  try {
    alpha = std::stod(alpha_text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (alpha_text.empty() || used != alpha_text.size() || !std::isfinite(alpha))
    throw InputError("--steer: '" + alpha_text + "' is not a finite number (the ALPHA after @)");
  const PositionChoice positions =
      second_at == std::string::npos ? PositionChoice{} : parse_position_choice(spec.substr(second_at + 1));
  return make_steer(hook, steer_vector(reference), alpha, positions, config, "--steer: the vector " + reference);
}

model::Positions resolve_positions(const PositionChoice& choice, const model::HookPoint& point,
                                   const torch::Tensor& token_types, int64_t max_new_tokens) {
  if (choice.kind == SteerPositions::List) return choice.list;
  if (choice.kind == SteerPositions::All || point.vision || point.site == model::Site::ProjectorOut) return {};
  const int64_t length = token_types.size(1);
  const torch::Tensor types = token_types[0].to(torch::kCPU, torch::kInt64).contiguous();  // [T]
  const int64_t* type = types.data_ptr<int64_t>();
  model::Positions positions;
  if (choice.kind != SteerPositions::Generated)
    for (int64_t p = 0; p < length; ++p)
      if ((type[p] == kImageToken) == (choice.kind == SteerPositions::Image)) positions.push_back(p);
  if (choice.kind != SteerPositions::Image)
    for (int64_t p = length; p < length + max_new_tokens; ++p) positions.push_back(p);
  if (positions.empty())  // an empty list would mean every position to the hook set
    throw InputError("steering positions '" + position_choice_word(choice) + "' select none of this prompt's " +
                     std::to_string(length) + " positions");
  return positions;
}

void add_steer(const Steer& steer, const torch::Tensor& token_types, int64_t max_new_tokens, torch::Device device,
               torch::ScalarType dtype, model::HookSet& hooks) {
  hooks.add(steer.point, steer.vector.to(device, dtype), steer.alpha,
            resolve_positions(steer.positions, steer.point, token_types, max_new_tokens));
}

}  // namespace loupe::study
