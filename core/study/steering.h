// Steering as an input to the forward pass: a vector at a hook, at chosen positions, added,
// substituted for the component along it, or capping it (SteerMode). One parser for `--steer` and one position resolver for the CLI and the desktop app.
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

#include "core/io/hf_config.h"
#include "core/model/hooks.h"
#include "core/study/steer_positions.h"

namespace loupe::study {

struct Steer {
  model::HookPoint point;
  torch::Tensor vector;  // [d], as wide as the hook
  double alpha = 0;
  PositionSelector positions;  // kSteerPositions words
  SteerMode mode = SteerMode::Additive;
};

// Residual, embedding, attention-output, MLP and projector hooks are steered; q, k, v, z, the
// attention scores and pattern, and the logits are not.
bool is_steerable(const model::HookPoint& point);
// Throws InputError unless is_steerable(point).
void check_steerable(const model::HookPoint& point, const io::ModelConfig& config);

// A steer of `vector` at `hook`, checked: the hook exists and can be steered, the vector is as wide
// as the hook and finite, alpha is finite. `what` names the vector in errors ("direction 'gender'").
Steer make_steer(const std::string& hook, const torch::Tensor& vector, double alpha, PositionSelector positions,
                 const io::ModelConfig& config, const std::string& what);

// "HOOK=FILE.safetensors:KEY@ALPHA" with an optional "@POSITIONS" (default all; kSteerPositions) and "@MODE"
// (default additive); the vector may
// also be one SAE latent's decoder row, "HOOK=sae:FOLDER#LATENT@ALPHA". Checks the hook,
// that it can be steered, the vector's width and that ALPHA and the vector are finite, before any
// work. Throws InputError naming what is wrong.
Steer parse_steer(const std::string& spec, const io::ModelConfig& config);

// The steers of a steering set, each checked as make_steer checks it (its hook first, before any
// vector file is read), with its mode.
std::vector<Steer> steers_of(const std::vector<SteerSpec>& set, const io::ModelConfig& config);

// Absolute positions for a selector, given the prompt's token types [1, T] (1 at image tokens) and
// how many tokens may be generated: the prompt's other tokens are `template`, the generated ones
// `text`. Vision-tower and projector hooks have no text positions: every selector but a list means
// all of their positions there. Empty = every position (all); a selector that picks nothing, or one
// steering does not take (kSteerPositions), throws InputError.
model::Positions resolve_positions(const PositionSelector& selector, const model::HookPoint& point,
                                   const torch::Tensor& token_types, int64_t max_new_tokens);

// The vector `--steer` names: FILE.safetensors:KEY, or one SAE latent's decoder row. Throws
// InputError for a missing key or a latent outside the SAE.
torch::Tensor steer_vector(const SteerSpec& spec);

// Adds the steer to `hooks` (vector moved to the model's device and dtype), on the batch `rows`
// only when given (a sweep steers each row with its own alpha).
void add_steer(const Steer& steer, const torch::Tensor& token_types, int64_t max_new_tokens, torch::Device device,
               torch::ScalarType dtype, model::HookSet& hooks, const model::Rows& rows = {});

}  // namespace loupe::study
