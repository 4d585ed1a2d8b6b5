// LoRA adapters (Hu et al. 2021), computed as PEFT computes them: a linear layer y = W x + b gains
// a low-rank update
//   y = W x + b + (alpha / r) · B (A dropout(x)),   A [r, in], B [out, r],
// trained with the base frozen. An adapter is bound to one loaded model (it keys its pairs by that
// model's layers) and applied per run: a Session whose hooks carry it (HookSet::set_adapter) adds
// the updates, every other Session of the same shared model runs the base weights unchanged.
// Module names are the model's own (VlmImpl::named_modules, the canonical weight names without
// ".weight": language_model.model.layers.0.self_attn.q_proj, vision_tower.encoder.layers.0.mlp.fc1).
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/model/hooks.h"
#include "core/model/layers.h"
#include "core/tensor/convert.h"

namespace loupe::model {

struct VlmImpl;

struct LoraSettings {
  int64_t rank = 8;
  double alpha = 16;    // the update is scaled by alpha / rank
  double dropout = 0.0;  // on the adapters' inputs, in training only
};

// Which linear layers get adapters: those whose last name part is in `modules` (q_proj, k_proj,
// v_proj, o_proj, gate_proj, up_proj, down_proj in the decoder; q_proj, k_proj, v_proj, out_proj,
// fc1, fc2 in the vision tower), in the chosen layers.
struct LoraTargets {
  std::vector<std::string> modules = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
  std::vector<int64_t> layers;  // layer indices (decoder, and vision when `vision`); empty: every layer
  bool vision = false;          // the vision tower's layers too
};

// The canonical module names of the model's linear layers that `targets` picks, in model order.
// Throws InputError for a module name no linear layer has (listing the nearest that exist), a
// layer index out of range, or a selection that picks nothing.
std::vector<std::string> lora_target_modules(const VlmImpl& model, const LoraTargets& targets);

// The decoder or vision layer index inside a module name ("...layers.3.self_attn.q_proj" → 3).
std::optional<int64_t> module_layer(const std::string& module);

class LoraAdapter {
 public:
  // Fresh adapters on `modules`: A drawn as PEFT draws it (Kaiming-uniform with a = √5, that is
  // U(-1/√in, 1/√in)) from `seed`, B zero, so the adapted model starts equal to the base. In the
  // model's dtype and on its device.
  LoraAdapter(const VlmImpl& model, const std::vector<std::string>& modules, const LoraSettings& settings, uint64_t seed);
  // Adapters with the given weights, a[i] [r, in] and b[i] [out, r] for modules[i] (any dtype and
  // device: converted to the model's).
  LoraAdapter(const VlmImpl& model, const std::vector<std::string>& modules, const LoraSettings& settings,
              const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b);
  // Both throw InputError for a module that is not a linear layer of the model (near matches
  // listed), a rank below 1 or above a layer's min(in, out), or weights whose shapes do not fit.

  // The update of `layer`'s output for x [..., in] → [..., out]; undefined when no pair sits on it.
  torch::Tensor delta(const LinearImpl& layer, const torch::Tensor& x) const;

  // Training: dropout on the adapters' inputs, its masks drawn on the CPU from a generator seeded
  // with `seed` (reseed each step for runs that resume to the same weights); nullopt turns it off
  // (inference, the default). Not thread-safe while on: one training loop owns the adapter.
  void set_dropout_seed(std::optional<uint64_t> seed);
  // Makes A and B require grad (training) or not.
  void set_trainable(bool trainable);

  const LoraSettings& settings() const { return settings_; }
  double scale() const { return settings_.alpha / double(settings_.rank); }
  std::vector<std::string> modules() const;
  // "MODULE.lora_A" [r, in] and "MODULE.lora_B" [out, r] of every pair, in module order; the live
  // tensors (an optimizer updates them in place).
  tensor::NamedTensors parameters() const;
  // "MODULE.weight" = W + scale · B A for every pair (detached, the model's dtype).
  tensor::NamedTensors merged_weights() const;

 private:
  struct Pair {
    std::string module;
    const LinearImpl* layer = nullptr;
    torch::Tensor a, b;  // [r, in], [out, r]
  };
  void check_settings() const;  // rank ≥ 1, dropout in [0, 1), finite alpha
  void check_rank(const std::string& module, int64_t out, int64_t in) const;  // rank ≤ min(in, out)
  // Checks the weights' shapes and values, then keeps them in the layer's dtype and device.
  void add_pair(const std::string& module, const LinearImpl& layer, torch::Tensor a, torch::Tensor b);

  std::vector<Pair> pairs_;
  std::unordered_map<const LinearImpl*, size_t> by_layer_;
  LoraSettings settings_;
  mutable std::optional<torch::Generator> dropout_;
};

// layer(x) plus the update of the adapter `hooks` carry for that layer, if any.
torch::Tensor adapted(const Linear& layer, const torch::Tensor& x, const HookSet& hooks);

}  // namespace loupe::model
