// Multi-head self-attention shared by the decoders (GQA, RoPE, optional q/k norms, KV cache) and
// the vision towers (no RoPE, no mask, no cache). Eager: scores, mask, float32 softmax, weights·v,
// so attention scores and patterns are hookable and numbers match transformers' eager path.
#pragma once
#include <torch/torch.h>

#include <optional>

#include "core/model/hooks.h"
#include "core/model/layers.h"

namespace loupe::model {

// Keys and values seen so far by one decoder layer, [B, kv_heads, S, head_dim], post-norm and
// post-RoPE; `first` is the absolute position of entry 0 (sliding layers drop old entries).
struct LayerCache {
  torch::Tensor k, v;
  int64_t first = 0;
  int64_t length() const { return k.defined() ? k.size(2) : 0; }
};

struct AttentionShape {
  int64_t hidden = 0, heads = 0, kv_heads = 0, head_dim = 0;
  double scale = 1.0;          // multiplies q·k
  bool bias = false;           // vision towers: every projection has a bias
  bool qk_norm = false;        // Gemma 3: RMSNorm over head_dim on q and k before RoPE
  double norm_eps = 1e-6;
  const char* out_name = "o_proj";  // "out_proj" in the vision towers
};

// What one call needs besides x.
struct AttentionCall {
  HookSet* hooks = nullptr;
  int64_t layer = 0;
  bool vision = false;
  int64_t first_position = 0;
  bool prefill = true;
  const RopeTable* rope = nullptr;  // null: no rotary embedding
  torch::Tensor allowed;           // [B or 1, 1, T, S] bool, undefined: every key visible
  LayerCache* cache = nullptr;     // null: no cache
  int64_t keep_last = 0;           // >0: after this call the cache keeps only its last entries
};

struct AttentionImpl : torch::nn::Module {
  AttentionImpl(const AttentionShape& shape, const torch::TensorOptions& options);
  // x [B, T, hidden] → [B, T, hidden] (before the output hook; the caller hooks attn_out)
  torch::Tensor forward(const torch::Tensor& x, AttentionCall& call) const;

  AttentionShape shape;
  Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};
  Norm q_norm{nullptr}, k_norm{nullptr};
};
TORCH_MODULE(Attention);

}  // namespace loupe::model
