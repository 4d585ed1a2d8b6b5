// A sparse autoencoder over one hook's activations, in SAELens' parameter layout:
//   W_enc [d_in, d_sae], b_enc [d_sae], W_dec [d_sae, d_in], b_dec [d_in], threshold [d_sae] (JumpReLU)
//   pre = (x - b_dec·apply_b_dec_to_input) @ W_enc + b_enc
//   relu:     f = relu(pre)
//   topk:     f = relu(the k largest entries of pre), every other entry 0
//   jumprelu: f = pre · [pre > threshold]   (relu(pre) · [pre > threshold], as SAELens computes it)
//   x̂ = f @ W_dec + b_dec
// The weights act on raw activations: the input scale used during training is folded in before an
// SAE leaves the trainer (docs/sae.md, Normalisation).
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <string>

#include "core/sae/sae_config.h"

namespace loupe::sae {

// The k active latents of each vector (TopK): what the sparse decoder consumes.
struct SparseCodes {
  torch::Tensor values;   // [B, k] float, >= 0
  torch::Tensor indices;  // [B, k] int64 latent ids
};

struct Sae {
  SaeConfig config;
  torch::Tensor W_enc;      // [d_in, d_sae]
  torch::Tensor b_enc;      // [d_sae]
  torch::Tensor W_dec;      // [d_sae, d_in]
  torch::Tensor b_dec;      // [d_in]
  torch::Tensor threshold;  // [d_sae] (JumpReLU only; undefined otherwise)

  // Random weights as SAELens initialises them: W_dec rows of unit norm, W_enc = W_decᵀ, zero biases.
  // Throws InputError for sizes check_sae_size refuses or that cannot be allocated.
  static Sae initialized(const SaeConfig& config, uint64_t seed);

  // Throws FormatError naming the tensor whose shape disagrees with the config, or a missing k.
  void check() const;
  // Throws FormatError naming the first tensor that holds NaN or infinite values.
  void check_finite() const;

  torch::Tensor pre_activations(const torch::Tensor& x) const;  // [B, d_in] → [B, d_sae]
  torch::Tensor encode(const torch::Tensor& x) const;           // [B, d_in] → [B, d_sae] (dense)
  SparseCodes encode_topk(const torch::Tensor& x) const;        // TopK only: [B, d_in] → [B, k]
  // The same without autograd, the pre-activations written into `scratch` (made on first use,
  // resized in place after): a pass over many batches reuses one [B, d_sae] buffer, where a fresh
  // one per batch costs more in page faults than the product itself (bench/feature_bench).
  SparseCodes encode_topk(const torch::Tensor& x, torch::Tensor& scratch) const;
  torch::Tensor decode(const torch::Tensor& codes) const;       // [B, d_sae] → [B, d_in]
  torch::Tensor decode_sparse(const SparseCodes& codes) const;  // gathers k decoder rows per vector
  // Encode then decode; any leading shape [..., d_in] (TopK decodes sparsely).
  torch::Tensor reconstruct(const torch::Tensor& x) const;

  Sae to(const torch::Device& device) const;
  torch::Device device() const { return W_enc.device(); }
};

// Σ_j values[b, j] · rows[indices[b, j]]: [B, k] × rows [n, d] → [B, d], differentiable in values
// and rows; memory O(B·d), never O(B·k·d).
torch::Tensor gather_rows_sum(const torch::Tensor& rows, const SparseCodes& codes);

}  // namespace loupe::sae
