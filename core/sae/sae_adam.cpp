#include "core/sae/sae_adam.h"

#include <cmath>

#include "core/error.h"

namespace loupe::sae {

SaeAdam::SaeAdam(tensor::NamedTensors parameters, double beta1, double beta2, double eps)
    : beta1_(beta1), beta2_(beta2), eps_(eps) {
  for (auto& [name, parameter] : parameters)
    slots_.push_back({name, parameter, torch::zeros_like(parameter), torch::zeros_like(parameter)});
}

void SaeAdam::zero_grad() {
  for (auto& slot : slots_)
    if (slot.parameter.grad().defined()) slot.parameter.mutable_grad() = torch::Tensor();
}

void SaeAdam::step(double lr) {
  torch::NoGradGuard no_grad;
  ++steps_taken_;
  const double correction1 = 1.0 - std::pow(beta1_, double(steps_taken_));
  const double correction2 = 1.0 - std::pow(beta2_, double(steps_taken_));
  for (auto& slot : slots_) {
    const torch::Tensor grad = slot.parameter.grad();
    if (!grad.defined()) continue;
    slot.m.mul_(beta1_).add_(grad, 1.0 - beta1_);
    slot.v.mul_(beta2_).addcmul_(grad, grad, 1.0 - beta2_);
    const torch::Tensor denominator = (slot.v / correction2).sqrt_().add_(eps_);
    slot.parameter.addcdiv_(slot.m, denominator, -lr / correction1);
  }
}

SaeAdam::Slot& SaeAdam::slot(const std::string& name) {
  for (auto& slot : slots_)
    if (slot.name == name) return slot;
  throw InputError("the SAE optimizer has no parameter '" + name + "'");
}

void SaeAdam::reset_latents(const std::string& name, int64_t axis, const torch::Tensor& latents) {
  torch::NoGradGuard no_grad;
  Slot& target = slot(name);
  target.m.index_fill_(axis, latents, 0.0);
  target.v.index_fill_(axis, latents, 0.0);
}

tensor::NamedTensors SaeAdam::state() const {
  tensor::NamedTensors tensors;
  for (const auto& slot : slots_) {
    tensors.emplace_back("m." + slot.name, slot.m);
    tensors.emplace_back("v." + slot.name, slot.v);
  }
  return tensors;
}

void SaeAdam::load_state(const io::SafeTensors& file, const std::string& prefix, int64_t steps_taken) {
  torch::NoGradGuard no_grad;
  for (auto& slot : slots_) {
    for (auto [kind, moment] : {std::pair<const char*, torch::Tensor*>{"m.", &slot.m}, {"v.", &slot.v}}) {
      const std::string key = prefix + kind + slot.name;
      if (!file.contains(key)) throw FormatError("the SAE checkpoint has no optimizer moment '" + key + "'");
      const torch::Tensor stored = tensor::view_of(file.at(key));
      if (stored.sizes() != moment->sizes())
        throw FormatError("the SAE checkpoint's '" + key + "' has shape " + c10::str(stored.sizes()) + ", expected " +
                          c10::str(moment->sizes()));
      moment->copy_(stored);
    }
  }
  steps_taken_ = steps_taken;
}

}  // namespace loupe::sae
