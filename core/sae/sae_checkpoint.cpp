#include "core/sae/sae_checkpoint.h"

#include "core/error.h"
#include "core/io/safetensors.h"
#include "core/tensor/convert.h"

namespace loupe::sae {

namespace {

std::vector<std::pair<std::string, torch::Tensor*>> named_weights(Sae& sae) {
  std::vector<std::pair<std::string, torch::Tensor*>> named{
      {"W_enc", &sae.W_enc}, {"b_enc", &sae.b_enc}, {"W_dec", &sae.W_dec}, {"b_dec", &sae.b_dec}};
  if (sae.threshold.defined()) named.emplace_back("threshold", &sae.threshold);
  return named;
}

void restore(const io::SafeTensors& file, const std::string& key, torch::Tensor& target) {
  if (!file.contains(key)) throw FormatError("the SAE checkpoint has no '" + key + "' tensor");
  const torch::Tensor stored = tensor::view_of(file.at(key));
  if (stored.sizes() != target.sizes())
    throw FormatError("the SAE checkpoint's '" + key + "' has shape " + c10::str(stored.sizes()) + ", expected " +
                      c10::str(target.sizes()));
  torch::NoGradGuard no_grad;
  target.copy_(stored);
}

std::string metadata(const io::SafeTensors& file, const std::string& path, const std::string& key) {
  const auto found = file.metadata().find(key);
  if (found == file.metadata().end()) throw FormatError(path + " is not an SAE training checkpoint (no '" + key + "')");
  return found->second;
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
  return nlohmann::json::parse(metadata(file, path, "loupe_sae_options"));
}

void load_sae_checkpoint(const std::string& path, Sae& sae, train::AdamW& optimizer, TrainingState& state) {
  const io::SafeTensors file = io::SafeTensors::open(path);
  const nlohmann::json info = nlohmann::json::parse(metadata(file, path, "loupe_sae_state"));
  for (auto& [name, tensor] : named_weights(sae)) restore(file, "sae." + name, *tensor);
  restore(file, "tokens_since_fired", state.tokens_since_fired);
  restore(file, "window_fires", state.window_fires);
  state.step = info.at("step").get<int64_t>();
  state.input_scale = info.at("input_scale").get<double>();
  state.window_tokens = info.at("window_tokens").get<int64_t>();
  state.window_steps = info.at("window_steps").get<int64_t>();
  state.window_explained_variance = info.at("window_explained_variance").get<double>();
  state.window_mse = info.at("window_mse").get<double>();
  state.window_l0 = info.at("window_l0").get<double>();
  optimizer.load_state(file, "adam.", state.step);
}

}  // namespace loupe::sae
