#include "core/model/lora.h"

#include <algorithm>
#include <cmath>

#include <ATen/CPUGeneratorImpl.h>

#include "core/error.h"
#include "core/model/vlm.h"
#include "core/util/near_matches.h"

namespace loupe::model {

namespace {

// Every linear layer of the model by canonical module name, in model order.
std::vector<std::pair<std::string, const LinearImpl*>> linear_layers(const VlmImpl& model) {
  std::vector<std::pair<std::string, const LinearImpl*>> layers;
  for (const auto& item : model.named_modules("", false))
    if (const auto* linear = dynamic_cast<const LinearImpl*>(item.value().get())) layers.emplace_back(item.key(), linear);
  return layers;
}

std::string last_part(const std::string& module) { return module.substr(module.rfind('.') + 1); }

bool in_vision_tower(const std::string& module) { return module.rfind("vision_tower.", 0) == 0; }
bool in_decoder_layer(const std::string& module) { return module.rfind("language_model.model.layers.", 0) == 0; }

std::string shape_text(c10::IntArrayRef shape) { return c10::str(shape); }

// The linear layer named `module`; InputError listing the nearest names when there is none.
const LinearImpl& find_linear(const std::vector<std::pair<std::string, const LinearImpl*>>& layers, const std::string& module) {
  auto found = std::find_if(layers.begin(), layers.end(), [&](const auto& item) { return item.first == module; });
  if (found != layers.end()) return *found->second;
  std::vector<std::string> names;
  for (const auto& item : layers) names.push_back(item.first);
  std::string message = "'" + module + "' is not a linear layer of this model; near matches:";
  for (const std::string& near : util::near_matches(module, names)) message += " " + near;
  throw InputError(message);
}

}  // namespace

std::optional<int64_t> module_layer(const std::string& module) {
  const std::string marker = ".layers.";
  const size_t at = module.find(marker);
  if (at == std::string::npos) return std::nullopt;
  size_t end = at + marker.size();
  int64_t layer = 0;
  bool digits = false;
  for (; end < module.size() && std::isdigit(static_cast<unsigned char>(module[end])); ++end, digits = true)
    layer = layer * 10 + (module[end] - '0');
  if (!digits) return std::nullopt;
  return layer;
}

std::vector<std::string> lora_target_modules(const VlmImpl& model, const LoraTargets& targets) {
  const auto layers = linear_layers(model);
  std::vector<std::string> short_names;
  for (const auto& [name, layer] : layers)
    if (in_decoder_layer(name) || (targets.vision && in_vision_tower(name) && module_layer(name))) short_names.push_back(last_part(name));
  for (const std::string& wanted : targets.modules)
    if (std::find(short_names.begin(), short_names.end(), wanted) == short_names.end()) {
      std::string message = "no linear layer named '" + wanted + "' in the " + std::string(targets.vision ? "decoder or vision" : "decoder") +
                            " layers of this model; near matches:";
      for (const std::string& near : util::near_matches(wanted, short_names)) message += " " + near;
      const bool in_tower = std::any_of(layers.begin(), layers.end(), [&](const auto& item) {
        return in_vision_tower(item.first) && module_layer(item.first) && last_part(item.first) == wanted;
      });
      if (!targets.vision && in_tower) message += " (" + wanted + " is a vision tower layer: add --vision)";
      throw InputError(message);
    }
  const int64_t most_layers = std::max(model.config.text.layers, targets.vision ? model.config.vision.layers : int64_t(0));
  for (int64_t layer : targets.layers)
    if (layer < 0 || layer >= most_layers)
      throw InputError("--layers: layer " + std::to_string(layer) + " does not exist (this model has " +
                       std::to_string(model.config.text.layers) + " decoder layers, 0-" + std::to_string(model.config.text.layers - 1) +
                       (targets.vision ? ", and " + std::to_string(model.config.vision.layers) + " vision layers" : std::string()) + ")");
  std::vector<std::string> chosen;
  for (const auto& [name, layer] : layers) {
    const bool tower_layer = in_decoder_layer(name) || (targets.vision && in_vision_tower(name));
    const auto index = module_layer(name);
    if (!tower_layer || !index) continue;
    if (std::find(targets.modules.begin(), targets.modules.end(), last_part(name)) == targets.modules.end()) continue;
    if (!targets.layers.empty() && std::find(targets.layers.begin(), targets.layers.end(), *index) == targets.layers.end()) continue;
    chosen.push_back(name);
  }
  if (chosen.empty()) throw InputError("the LoRA targets pick no linear layer of this model");
  return chosen;
}

LoraAdapter::LoraAdapter(const VlmImpl& model, const std::vector<std::string>& modules, const LoraSettings& settings,
                         uint64_t seed)
    : settings_(settings) {
  check_settings();
  torch::Generator generator = at::detail::createCPUGenerator(seed);
  const auto layers = linear_layers(model);
  for (const std::string& module : modules) {
    const LinearImpl& layer = find_linear(layers, module);
    const int64_t out = layer.weight.size(0), in = layer.weight.size(1);
    check_rank(module, out, in);
    const double bound = 1.0 / std::sqrt(double(in));  // Kaiming-uniform, a = √5
    torch::Tensor a = torch::empty({settings.rank, in}, torch::kFloat32).uniform_(-bound, bound, generator);  // [r, in]
    add_pair(module, layer, a, torch::zeros({out, settings.rank}, torch::kFloat32));
  }
}

LoraAdapter::LoraAdapter(const VlmImpl& model, const std::vector<std::string>& modules, const LoraSettings& settings,
                         const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b)
    : settings_(settings) {
  if (a.size() != modules.size() || b.size() != modules.size())
    throw InputError("a LoRA adapter needs one A and one B weight per module");
  check_settings();
  const auto layers = linear_layers(model);
  for (size_t i = 0; i < modules.size(); ++i) {
    const LinearImpl& layer = find_linear(layers, modules[i]);
    check_rank(modules[i], layer.weight.size(0), layer.weight.size(1));
    add_pair(modules[i], layer, a[i], b[i]);
  }
}

void LoraAdapter::check_settings() const {
  if (settings_.rank < 1) throw InputError("the LoRA rank must be at least 1, got " + std::to_string(settings_.rank));
  if (!(settings_.dropout >= 0 && settings_.dropout < 1)) throw InputError("the LoRA dropout must be in [0, 1)");
  if (!std::isfinite(settings_.alpha)) throw InputError("the LoRA alpha must be a finite number");
}

void LoraAdapter::check_rank(const std::string& module, int64_t out, int64_t in) const {
  if (settings_.rank > std::min(in, out))
    throw InputError("LoRA rank " + std::to_string(settings_.rank) + " is larger than " + module + " allows (its weight is [" +
                     std::to_string(out) + ", " + std::to_string(in) + "]: rank at most " + std::to_string(std::min(in, out)) + ")");
}

void LoraAdapter::add_pair(const std::string& module, const LinearImpl& layer, torch::Tensor a, torch::Tensor b) {
  const int64_t out = layer.weight.size(0), in = layer.weight.size(1);
  if (a.sizes() != c10::IntArrayRef{settings_.rank, in} || b.sizes() != c10::IntArrayRef{out, settings_.rank})
    throw InputError(module + ": LoRA weights of shapes A " + shape_text(a.sizes()) + ", B " + shape_text(b.sizes()) +
                     " do not fit a rank-" + std::to_string(settings_.rank) + " adapter of a [" + std::to_string(out) + ", " +
                     std::to_string(in) + "] layer (A [r, in], B [out, r])");
  if (by_layer_.count(&layer)) throw InputError(module + " is listed twice among the LoRA modules");
  if (!torch::isfinite(a).all().item<bool>() || !torch::isfinite(b).all().item<bool>())
    throw InputError(module + ": the LoRA weights hold NaN or infinite values");
  const auto options = layer.weight.options().requires_grad(false);
  by_layer_[&layer] = pairs_.size();
  pairs_.push_back({module, &layer, a.detach().to(options).clone(), b.detach().to(options).clone()});
}

torch::Tensor LoraAdapter::delta(const LinearImpl& layer, const torch::Tensor& x) const {
  auto found = by_layer_.find(&layer);
  if (found == by_layer_.end()) return {};
  const Pair& pair = pairs_[found->second];
  torch::Tensor input = x;
  if (dropout_ && settings_.dropout > 0) {
    const double keep = 1.0 - settings_.dropout;
    torch::Tensor mask = torch::empty(x.sizes(), torch::kFloat32).bernoulli_(keep, *dropout_);  // [..., in]
    input = x * (mask / keep).to(x.options());
  }
  // [..., in] → [..., r] → [..., out]
  return torch::linear(torch::linear(input, pair.a), pair.b) * scale();
}

void LoraAdapter::set_dropout_seed(std::optional<uint64_t> seed) {
  if (seed) dropout_ = at::detail::createCPUGenerator(*seed);
  else dropout_.reset();
}

void LoraAdapter::set_trainable(bool trainable) {
  for (Pair& pair : pairs_) {
    pair.a.set_requires_grad(trainable);
    pair.b.set_requires_grad(trainable);
  }
}

std::vector<std::string> LoraAdapter::modules() const {
  std::vector<std::string> names;
  for (const Pair& pair : pairs_) names.push_back(pair.module);
  return names;
}

tensor::NamedTensors LoraAdapter::parameters() const {
  tensor::NamedTensors tensors;
  for (const Pair& pair : pairs_) {
    tensors.emplace_back(pair.module + ".lora_A", pair.a);
    tensors.emplace_back(pair.module + ".lora_B", pair.b);
  }
  return tensors;
}

tensor::NamedTensors LoraAdapter::merged_weights() const {
  torch::NoGradGuard no_grad;
  tensor::NamedTensors weights;
  for (const Pair& pair : pairs_) {
    // In float32 whatever the model's dtype, then back: [out, r]·[r, in] → [out, in]
    const torch::Tensor update = torch::matmul(pair.b.to(torch::kFloat32), pair.a.to(torch::kFloat32)) * scale();
    weights.emplace_back(pair.module + ".weight", (pair.layer->weight.to(torch::kFloat32) + update).to(pair.layer->weight.scalar_type()));
  }
  return weights;
}

torch::Tensor adapted(const Linear& layer, const torch::Tensor& x, const HookSet& hooks) {
  torch::Tensor y = layer->forward(x);
  if (const LoraAdapter* adapter = hooks.adapter()) {
    const torch::Tensor update = adapter->delta(*layer, x);
    if (update.defined()) y = y + update;
  }
  return y;
}

}  // namespace loupe::model
