#include "core/study/steering.h"

#include <cmath>

#include "core/error.h"
#include "core/study/prompt_types.h"
#include "core/model/hook_names.h"
#include "core/sae/sae_io.h"
#include "core/tensor/convert.h"

namespace loupe::study {

bool is_steerable(const model::HookPoint& point) { return model::site_traits(point.site).steerable; }

void check_steerable(const model::HookPoint& point, const io::ModelConfig& config) {
  if (!is_steerable(point))
    throw InputError("steer at a residual, attention-output or MLP hook, not " + model::hook_name(point) +
                     " (" + std::to_string(config.text.layers) + " decoder layers: blocks.0 to blocks." +
                     std::to_string(config.text.layers - 1) + ")");
}

Steer make_steer(const std::string& hook, const torch::Tensor& vector, double alpha, PositionSelector positions,
                 const io::ModelConfig& config, const std::string& what) {
  require_positions(positions, kSteerPositions);
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

torch::Tensor steer_vector(const SteerSpec& spec) {
  if (spec.sae_folder.empty()) return tensor::load_reference(spec.source);
  const sae::Sae loaded = sae::load_sae(spec.sae_folder);
  if (spec.sae_latent >= loaded.config.d_sae)
    throw InputError("--steer: latent " + std::to_string(spec.sae_latent) + " is outside 0.." +
                     std::to_string(loaded.config.d_sae - 1) + " of the SAE " + spec.sae_folder);
  return loaded.W_dec[spec.sae_latent].clone();  // [d_in]
}

Steer parse_steer(const std::string& spec, const io::ModelConfig& config) {
  const SteerSpec parsed = parse_steer_spec(spec);
  model::parse_hook(parsed.hook, config);  // an unknown hook is reported before the file is read
  Steer steer = make_steer(parsed.hook, steer_vector(parsed), parsed.alpha, parsed.positions, config,
                           "--steer: the vector " + parsed.source);
  steer.mode = parsed.mode;
  return steer;
}

model::Positions resolve_positions(const PositionSelector& selector, const model::HookPoint& point,
                                   const torch::Tensor& token_types, int64_t max_new_tokens) {
  require_positions(selector, kSteerPositions);
  if (selector.kind == PositionKind::List) return selector.list;
  if (selector.kind == PositionKind::All || point.vision || point.site == model::Site::ProjectorOut) return {};
  model::Positions positions = select_positions(selector, prompt_types(token_types, max_new_tokens));
  if (positions.empty())  // an empty list would mean every position to the hook set
    throw InputError("steering positions '" + positions_word(selector) + "' select none of this prompt's " +
                     std::to_string(token_types.size(1)) + " positions");
  return positions;
}

namespace {

// x − max(0, x·d̂ − cap) d̂ at the selected entries: the projection on d̂ clamped to at most `cap`.
class ProjectionCap : public model::HookOperation {
 public:
  ProjectionCap(torch::Tensor direction, double cap, model::Selection selection)
      : unit_(direction / direction.norm()), cap_(cap), selection_(std::move(selection)) {}

  torch::Tensor apply(const torch::Tensor& x, const model::HookContext& context) override {
    return model::edit_selection(x, selection_, context, [&](const torch::Tensor& selected) {  // [..., d]
      const torch::Tensor excess = ((selected * unit_).sum(-1, true) - cap_).clamp_min(0);      // [..., 1]
      return selected - excess * unit_;
    });
  }

 private:
  torch::Tensor unit_;  // [d]
  double cap_;
  model::Selection selection_;
};

}  // namespace

void add_steer(const Steer& steer, const torch::Tensor& token_types, int64_t max_new_tokens, torch::Device device,
               torch::ScalarType dtype, model::HookSet& hooks, const model::Rows& rows) {
  if (steer.mode != SteerMode::Additive && steer.vector.norm().item<double>() == 0)
    throw InputError(std::string("a ") + steer_mode_word(steer.mode) + " steer at " + model::hook_name(steer.point) +
                     " needs a direction that is not all zeros");
  const torch::Tensor vector = steer.vector.to(device, dtype);
  model::Positions positions = resolve_positions(steer.positions, steer.point, token_types, max_new_tokens);
  switch (steer.mode) {
    case SteerMode::Additive: hooks.add(steer.point, vector, steer.alpha, positions, rows); break;
    case SteerMode::Orthogonal:
      hooks.project_out(steer.point, vector, positions, rows);
      hooks.add(steer.point, vector, steer.alpha, positions, rows);
      break;
    case SteerMode::Cap:
      hooks.add_operation(steer.point, std::make_unique<ProjectionCap>(vector, steer.alpha, model::Selection{positions, rows}));
      break;
  }
}

std::vector<Steer> steers_of(const std::vector<SteerSpec>& set, const io::ModelConfig& config) {
  std::vector<Steer> steers;
  for (const SteerSpec& spec : set) {
    model::parse_hook(spec.hook, config);  // an unknown hook before any file is read
    Steer steer = make_steer(spec.hook, steer_vector(spec), spec.alpha, spec.positions, config, "the direction " + spec.source);
    steer.mode = spec.mode;
    steers.push_back(std::move(steer));
  }
  return steers;
}

}  // namespace loupe::study
