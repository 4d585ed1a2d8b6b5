// Adam for SAE training, over the SAE's named tensors. Unlike train::AdamW it can reset the moments
// of single latents (when a dead latent is resampled its old moments must not steer the new one),
// and its state is saved by name into the training checkpoint.
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

#include "core/io/safetensors.h"
#include "core/tensor/convert.h"

namespace loupe::sae {

class SaeAdam {
 public:
  SaeAdam(tensor::NamedTensors parameters, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8);

  void zero_grad();
  void step(double lr);  // updates every parameter that has a gradient

  // Zeroes the moments of the latents in `latents` ([n] int64) of parameter `name` along `axis`.
  void reset_latents(const std::string& name, int64_t axis, const torch::Tensor& latents);

  int64_t steps_taken() const { return steps_taken_; }
  tensor::NamedTensors state() const;  // "m.NAME", "v.NAME"
  // Restores moments stored under prefix + "m.NAME" / "v.NAME". Throws FormatError naming a missing
  // or mis-shaped moment.
  void load_state(const io::SafeTensors& file, const std::string& prefix, int64_t steps_taken);

 private:
  struct Slot {
    std::string name;
    torch::Tensor parameter, m, v;
  };
  Slot& slot(const std::string& name);
  std::vector<Slot> slots_;
  double beta1_, beta2_, eps_;
  int64_t steps_taken_ = 0;
};

}  // namespace loupe::sae
