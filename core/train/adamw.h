// AdamW (Adam with decoupled weight decay; weight_decay 0 gives plain Adam) over named parameters, with a warm-up + cosine
// learning-rate schedule. Its moments are kept by parameter name so a checkpoint stores them in
// safetensors next to the weights; LibTorch's own optimizer keys its state by tensor address in a
// map whose key type differs between LibTorch 1.13 and 2.x.
#pragma once
#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "core/io/safetensors.h"
#include "core/tensor/convert.h"

namespace loupe::train {

struct AdamWOptions {
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double weight_decay = 0.01;  // applied to matrices (dim >= 2) only, not to biases and norms
};

class AdamW {
 public:
  AdamW(tensor::NamedTensors parameters, AdamWOptions options);

  void zero_grad();
  // One update of every parameter that has a gradient, at learning rate `lr`.
  void step(double lr);
  // Zeroes the moments of the entries `indices` ([n] int64) along `axis` of parameter `name`, e.g.
  // when an SAE resamples dead latents, so that their old moments do not steer the new weights.
  void reset_moments(const std::string& name, int64_t axis, const torch::Tensor& indices);

  int64_t steps_taken() const { return steps_taken_; }
  // "exp_avg.NAME" and "exp_avg_sq.NAME" for every parameter.
  tensor::NamedTensors state() const;
  // Restores the moments that state() named, stored in `file` under `prefix` + name, and the step
  // count. Throws FormatError naming a missing or mis-shaped moment.
  void load_state(const io::SafeTensors& file, const std::string& prefix, int64_t steps_taken);

 private:
  struct Slot {
    std::string name;
    torch::Tensor parameter;
    torch::Tensor exp_avg;     // same shape as parameter
    torch::Tensor exp_avg_sq;  // same shape as parameter
  };
  std::vector<Slot> slots_;
  AdamWOptions options_;
  int64_t steps_taken_ = 0;
};

// Learning rate at `step` (0-based) of `steps`: linear warm-up over `warmup` steps to `peak`, then
// a cosine decay to peak * final_ratio at the last step.
double scheduled_lr(int64_t step, int64_t steps, int64_t warmup, double peak, double final_ratio);
// The warm-up steps of a run: `fraction` of `steps`, rounded, at least 1.
int64_t warmup_steps(double fraction, int64_t steps);

}  // namespace loupe::train
