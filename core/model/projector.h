// multi_modal_projector: image features in the decoder's space.
//   Gemma 3: [N, P, Hv] → average-pool the patch grid to mm_tokens_per_image → Gemma RMSNorm
//            (mm_soft_emb_norm) → x @ mm_input_projection_weight ([Hv, H], used untransposed).
//   LLaVA:   linear_1 → GELU → linear_2 (with biases).
#pragma once
#include <torch/torch.h>

#include "core/io/hf_config.h"
#include "core/model/layers.h"

namespace loupe::model {

struct ProjectorImpl : torch::nn::Module {
  ProjectorImpl(const io::ModelConfig& config, const torch::TensorOptions& options);
  // vision features [N, P, Hv] → [N, image_tokens, H]
  torch::Tensor forward(const torch::Tensor& features) const;

  io::Family family;
  int64_t tokens_per_side = 0, patches_per_side = 0;
  io::Activation activation;
  torch::Tensor mm_input_projection_weight;  // Gemma 3 [Hv, H]
  Norm mm_soft_emb_norm{nullptr};            // Gemma 3
  Linear linear_1{nullptr}, linear_2{nullptr};  // LLaVA
};
TORCH_MODULE(Projector);

}  // namespace loupe::model
