// The vision towers. SigLIP (Gemma 3): patch conv with bias + position embeddings, pre-LN encoder,
// post_layernorm. CLIP (LLaVA): patch conv without bias, a class token first, position
// embeddings, pre_layrnorm (spelled so in checkpoints), pre-LN encoder; post_layernorm exists in
// checkpoints but only serves CLIP's pooled output, which LLaVA does not use.
// Module names follow the checkpoints: vision_tower.{embeddings, encoder.layers.N, ...}.
#pragma once
#include <torch/torch.h>

#include <vector>

#include "core/io/hf_config.h"
#include "core/model/attention.h"
#include "core/model/layers.h"

namespace loupe::model {

struct VisionMlpImpl : torch::nn::Module {
  VisionMlpImpl(const io::VisionConfig& config, const torch::TensorOptions& options);
  io::Activation activation;
  Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(VisionMlp);

struct VisionLayerImpl : torch::nn::Module {
  VisionLayerImpl(const io::VisionConfig& config, const torch::TensorOptions& options);
  torch::Tensor forward(torch::Tensor h, AttentionCall& call) const;
  Norm layer_norm1{nullptr}, layer_norm2{nullptr};
  Attention self_attn{nullptr};
  VisionMlp mlp{nullptr};
};
TORCH_MODULE(VisionLayer);

struct VisionEmbeddingsImpl : torch::nn::Module {
  VisionEmbeddingsImpl(const io::VisionConfig& config, const torch::TensorOptions& options);
  // pixels [N, 3, S, S] → [N, P (+1 class token), hidden]
  torch::Tensor forward(const torch::Tensor& pixels) const;
  int64_t patch_size;
  torch::Tensor patch_weight, patch_bias;  // conv [hidden, 3, patch, patch] (+ [hidden] for SigLIP)
  torch::Tensor class_embedding;           // CLIP [hidden]
  Embedding position_embedding{nullptr};   // [P (+1), hidden]
};
TORCH_MODULE(VisionEmbeddings);

struct VisionEncoderImpl : torch::nn::Module {
  VisionEncoderImpl(const io::VisionConfig& config, const torch::TensorOptions& options);
  torch::nn::ModuleList layers;
  std::vector<VisionLayer> blocks;  // the same layers, typed
};
TORCH_MODULE(VisionEncoder);

struct VisionTowerImpl : torch::nn::Module {
  VisionTowerImpl(const io::VisionConfig& config, const torch::TensorOptions& options);
  // pixels [N, 3, S, S] → hidden states: entry 0 is the encoder input (after pre_layrnorm for
  // CLIP), entry i the output of layer i-1; `last` is SigLIP's post_layernorm output or CLIP's
  // last layer output (HF last_hidden_state).
  struct Output {
    std::vector<torch::Tensor> hidden;  // each [N, P (+1), hidden]
    torch::Tensor last;
  };
  Output forward(const torch::Tensor& pixels, HookSet& hooks) const;

  io::VisionConfig config;
  VisionEmbeddings embeddings{nullptr};
  Norm pre_layrnorm{nullptr};  // CLIP only
  VisionEncoder encoder{nullptr};
  Norm post_layernorm{nullptr};
};
TORCH_MODULE(VisionTower);

}  // namespace loupe::model
