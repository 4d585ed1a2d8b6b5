#include "core/sae/sae_checkpoint.h"

#include <limits>

#include "core/error.h"
#include "core/io/safetensors.h"
#include "core/tensor/convert.h"
#include "core/util/json_fields.h"

namespace loupe::sae {

namespace {

std::vector<std::pair<std::string, torch::Tensor*>> named_weights(Sae& sae) {
  std::vector<std::pair<std::string, torch::Tensor*>> named{
      {"W_enc", &sae.W_enc}, {"b_enc", &sae.b_enc}, {"W_dec", &sae.W_dec}, {"b_dec", &sae.b_dec}};
  if (sae.threshold.defined()) named.emplace_back("threshold", &sae.threshold);
  return named;
}

bool is_float(io::DType dtype) {
  return dtype == io::DType::F32 || dtype == io::DType::F16 || dtype == io::DType::BF16 || dtype == io::DType::F64;
}

// Copies the checkpoint's `key` into `target` after checking that it is there, has target's shape,
// a dtype of target's kind (floating point or integer) and only finite values (non-negative when
// `non_negative`).
void restore(const io::SafeTensors& file, const std::string& path, const std::string& key, torch::Tensor& target,
             bool non_negative = false) {
  if (!file.contains(key)) throw FormatError(path + " has no '" + key + "' tensor; is it an SAE training checkpoint?");
  const io::TensorView& view = file.at(key);
  const bool want_float = target.is_floating_point();
  const bool is_integer = view.dtype == io::DType::I64 || view.dtype == io::DType::I32;
  if (want_float ? !is_float(view.dtype) : !is_integer)
    throw FormatError(path + ": '" + key + "' has dtype " + io::dtype_name(view.dtype) + ", expected " +
                      (want_float ? "a floating-point type" : "I64"));
  const torch::Tensor stored = tensor::view_of(view);
  if (stored.sizes() != target.sizes())
    throw FormatError(path + ": '" + key + "' has shape " + c10::str(stored.sizes()) + ", expected " +
                      c10::str(target.sizes()));
  if (want_float && !torch::isfinite(stored).all().item<bool>())
    throw FormatError(path + ": '" + key + "' holds NaN or infinite values; the training diverged before this "
                      "checkpoint, so it cannot be continued: train under another name");
  if (non_negative && (stored < 0).any().item<bool>())
    throw FormatError(path + ": '" + key + "' holds negative values");
  torch::NoGradGuard no_grad;
  target.copy_(stored);
}

// The JSON object stored under metadata `key`, parsed with bounded depth; errors name the file and key.
nlohmann::json metadata_object(const io::SafeTensors& file, const std::string& path, const std::string& key) {
  const auto found = file.metadata().find(key);
  if (found == file.metadata().end()) throw FormatError(path + " is not an SAE training checkpoint (no '" + key + "')");
  const std::string where = path + " metadata `" + key + "`";
  nlohmann::json value = util::parse_json_text(found->second, where);
  util::JsonFields(value, where);  // throws unless it is an object
  return value;
}

}  // namespace

void save_sae_checkpoint(const std::string& path, const Sae& sae, const train::AdamW& optimizer, const TrainingState& state,
                         const nlohmann::json& run_options) {
  tensor::NamedTensors tensors;
  Sae weights = sae;  // shares the tensors
  for (const auto& [name, tensor] : named_weights(weights)) tensors.emplace_back("sae." + name, tensor->detach());
  for (const auto& [name, tensor] : optimizer.state()) tensors.emplace_back("adam." + name, tensor);
  tensors.emplace_back("tokens_since_fired", state.tokens_since_fired);
  tensors.emplace_back("window_fires", state.window_fires);
  const nlohmann::json info{{"step", state.step},
                            {"input_scale", state.input_scale},
                            {"window_tokens", state.window_tokens},
                            {"window_steps", state.window_steps},
                            {"window_explained_variance", state.window_explained_variance},
                            {"window_mse", state.window_mse},
                            {"window_l0", state.window_l0}};
  tensor::save(path, tensors, {{"loupe_sae_state", info.dump()}, {"loupe_sae_options", run_options.dump()}});
}

nlohmann::json read_checkpoint_options(const std::string& path) {
  const io::SafeTensors file = io::SafeTensors::open(path);
  return metadata_object(file, path, "loupe_sae_options");
}

void load_sae_checkpoint(const std::string& path, int64_t max_step, Sae& sae, train::AdamW& optimizer,
                         TrainingState& state) {
  const io::SafeTensors file = io::SafeTensors::open(path);
  const nlohmann::json info = metadata_object(file, path, "loupe_sae_state");
  const util::JsonFields fields(info, path + " metadata `loupe_sae_state`");
  const int64_t step = fields.integer_in("step", 0, max_step, "(the run's steps)");
  const int64_t window_steps = fields.integer_in("window_steps", 0, step, "(the step reached)");
  for (auto& [name, tensor] : named_weights(sae)) restore(file, path, "sae." + name, *tensor);
  for (auto [name, moment] : optimizer.state())  // handles that share the moments' storage
    restore(file, path, "adam." + name, moment, name.rfind("exp_avg_sq.", 0) == 0);
  restore(file, path, "tokens_since_fired", state.tokens_since_fired, true);
  restore(file, path, "window_fires", state.window_fires, true);
  state.step = step;
  state.input_scale = fields.positive("input_scale", 1.0, 1e30);
  state.window_tokens = fields.integer_in("window_tokens", 0, std::numeric_limits<int64_t>::max());
  state.window_steps = window_steps;
  state.window_explained_variance = fields.number("window_explained_variance");
  state.window_mse = fields.number("window_mse");
  state.window_l0 = fields.number("window_l0");
  try {
    optimizer.load_state(file, "adam.", state.step);
  } catch (const FormatError& error) {
    throw FormatError(path + ": " + error.what());
  }
}

}  // namespace loupe::sae
