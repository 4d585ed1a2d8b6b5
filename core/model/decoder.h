// The text decoders. Gemma 3 and Llama share this code; what differs is read from the config:
//   Gemma 3: scaled embeddings, Gemma RMSNorm (1+w), q/k norms, a norm after attention and after
//            the MLP as well as before each ("sandwich"), gelu-tanh, sliding-window layers with
//            their own RoPE table, image tokens attending to each other within one image (on
//            sliding layers only inside the window, as transformers 5 computes it).
//   Llama:   unscaled embeddings, Llama RMSNorm, pre-norms only, silu, one RoPE table, causal.
// Module names follow the checkpoints: language_model.model.{embed_tokens, layers.N, norm},
// language_model.lm_head.
#pragma once
#include <torch/torch.h>

#include <vector>

#include "core/io/hf_config.h"
#include "core/model/attention.h"
#include "core/model/layers.h"

namespace loupe::model {

// gate/up/down MLP: down(act(gate(x)) * up(x)).
struct GatedMlpImpl : torch::nn::Module {
  GatedMlpImpl(int64_t hidden, int64_t intermediate, io::Activation activation, const torch::TensorOptions& options);
  torch::Tensor forward(const torch::Tensor& x, HookSet& hooks, const HookContext& context) const;
  io::Activation activation;
  Linear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
};
TORCH_MODULE(GatedMlp);

struct DecoderLayerImpl : torch::nn::Module {
  DecoderLayerImpl(const io::TextConfig& config, const torch::TensorOptions& options);
  // h [B, T, hidden] → [B, T, hidden]; fires the block's hooks.
  torch::Tensor forward(torch::Tensor h, AttentionCall& call) const;

  bool sandwich;  // Gemma 3: extra norms after attention and after the MLP
  Norm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
  Norm pre_feedforward_layernorm{nullptr}, post_feedforward_layernorm{nullptr};
  Attention self_attn{nullptr};
  GatedMlp mlp{nullptr};
};
TORCH_MODULE(DecoderLayer);

// language_model.model
struct TextModelImpl : torch::nn::Module {
  TextModelImpl(const io::TextConfig& config, const torch::TensorOptions& options);
  Embedding embed_tokens{nullptr};
  torch::nn::ModuleList layers;      // registered for the names "layers.N"
  std::vector<DecoderLayer> blocks;  // the same layers, typed
  Norm norm{nullptr};
};
TORCH_MODULE(TextModel);

// language_model: the decoder stack and its head.
struct LanguageModelImpl : torch::nn::Module {
  LanguageModelImpl(const io::TextConfig& config, const torch::TensorOptions& options);

  // Token embeddings (scaled for Gemma) [B, T, hidden].
  torch::Tensor embed(const torch::Tensor& ids) const;
  // embeddings [B, T, hidden] at absolute positions first..first+T-1 → logits [B, T, vocab].
  // image_groups [B, T] (prefill only, may be undefined): >0 marks tokens of one image, which see
  // each other in both directions. cache: one entry per layer, extended in place.
  // first_layer > 0 (prefill only): `embeddings` is the residual stream entering that layer and the
  // layers before it are skipped; their cache entries stay empty.
  torch::Tensor forward(const torch::Tensor& embeddings, int64_t first, const torch::Tensor& image_groups,
                        std::vector<LayerCache>& cache, HookSet& hooks, int64_t first_layer = 0) const;

  // W_U [vocab, hidden]: lm_head's weight, or the token embeddings when the two are tied.
  torch::Tensor unembedding() const;

  io::TextConfig config;
  TextModel model{nullptr};
  Linear lm_head{nullptr};  // absent when tied to embed_tokens
  Rope rope_global, rope_local;
};
TORCH_MODULE(LanguageModel);

}  // namespace loupe::model
