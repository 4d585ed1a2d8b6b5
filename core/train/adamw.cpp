#include "core/train/adamw.h"

#include <cmath>

#include "core/error.h"

namespace loupe::train {

AdamW::AdamW(tensor::NamedTensors parameters, AdamWOptions options) : options_(options) {
  for (auto& [name, parameter] : parameters)
    slots_.push_back({name, parameter, torch::zeros_like(parameter), torch::zeros_like(parameter)});
}

void AdamW::zero_grad() {
  for (auto& slot : slots_)
    if (slot.parameter.grad().defined()) slot.parameter.mutable_grad() = torch::Tensor();
}

void AdamW::step(double lr) {
  torch::NoGradGuard no_grad;
  ++steps_taken_;
  const double correction1 = 1.0 - std::pow(options_.beta1, double(steps_taken_));
  const double correction2 = 1.0 - std::pow(options_.beta2, double(steps_taken_));
  const double step_size = lr / correction1;
  for (auto& slot : slots_) {
    const torch::Tensor grad = slot.parameter.grad();
    if (!grad.defined()) continue;
    if (slot.parameter.dim() >= 2 && options_.weight_decay > 0) slot.parameter.mul_(1.0 - lr * options_.weight_decay);
    slot.exp_avg.mul_(options_.beta1).add_(grad, 1.0 - options_.beta1);
    slot.exp_avg_sq.mul_(options_.beta2).addcmul_(grad, grad, 1.0 - options_.beta2);
    const torch::Tensor denominator = (slot.exp_avg_sq / correction2).sqrt_().add_(options_.eps);
    slot.parameter.addcdiv_(slot.exp_avg, denominator, -step_size);
  }
}

void AdamW::reset_moments(const std::string& name, int64_t axis, const torch::Tensor& indices) {
  torch::NoGradGuard no_grad;
  for (auto& slot : slots_) {
    if (slot.name != name) continue;
    slot.exp_avg.index_fill_(axis, indices, 0.0);
    slot.exp_avg_sq.index_fill_(axis, indices, 0.0);
    return;
  }
  throw InputError("the optimizer has no parameter '" + name + "'");
}

tensor::NamedTensors AdamW::state() const {
  tensor::NamedTensors tensors;
  for (const auto& slot : slots_) {
    tensors.emplace_back("exp_avg." + slot.name, slot.exp_avg);
    tensors.emplace_back("exp_avg_sq." + slot.name, slot.exp_avg_sq);
  }
  return tensors;
}

void AdamW::load_state(const io::SafeTensors& file, const std::string& prefix, int64_t steps_taken) {
  torch::NoGradGuard no_grad;
  for (auto& slot : slots_) {
    using Moment = std::pair<const char*, torch::Tensor*>;
    for (const auto& [kind, moment] : {Moment{"exp_avg.", &slot.exp_avg}, Moment{"exp_avg_sq.", &slot.exp_avg_sq}}) {
      const std::string key = prefix + kind + slot.name;
      if (!file.contains(key)) throw FormatError("the checkpoint has no optimizer moment '" + key + "'");
      const torch::Tensor stored = tensor::view_of(file.at(key));
      if (stored.sizes() != moment->sizes())
        throw FormatError("the checkpoint's '" + key + "' has shape " + c10::str(stored.sizes()) + ", expected " +
                          c10::str(moment->sizes()));
      moment->copy_(stored);
    }
  }
  steps_taken_ = steps_taken;
}

int64_t warmup_steps(double fraction, int64_t steps) {
  return std::max<int64_t>(1, int64_t(std::llround(fraction * double(steps))));
}

double scheduled_lr(int64_t step, int64_t steps, int64_t warmup, double peak, double final_ratio) {
  if (step < warmup) return peak * double(step + 1) / double(warmup);
  const int64_t decay_steps = std::max<int64_t>(1, steps - 1 - warmup);
  const double progress = std::min(1.0, double(step - warmup) / double(decay_steps));
  const double cosine = 0.5 * (1.0 + std::cos(M_PI * progress));
  return peak * (final_ratio + (1.0 - final_ratio) * cosine);
}

}  // namespace loupe::train
