// The differentiable part of a TopK encoder, with a sparse backward. The dense pre-activations
// [B, d_sae] are computed without autograd; only the selected entries carry gradients, so the
// backward costs O(B·m·d_in) for m selected latents per vector instead of two dense [B, d_sae]
// matrix products (docs/sae.md, Speed).
#pragma once
#include <torch/torch.h>

namespace loupe::sae {

// values[b, j] = pre[b, indices[b, j]] where pre = centred @ W_enc + b_enc, with gradients in
// centred [B, d_in], W_enc [d_in, d_sae] and b_enc [d_sae]. `pre` [B, d_sae] is that product,
// already computed (without autograd); indices [B, m] int64. Returns [B, m].
torch::Tensor selected_pre_activations(const torch::Tensor& centred, const torch::Tensor& W_enc,
                                       const torch::Tensor& b_enc, const torch::Tensor& pre,
                                       const torch::Tensor& indices);

}  // namespace loupe::sae
