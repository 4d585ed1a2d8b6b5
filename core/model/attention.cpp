#include "core/model/attention.h"

#include "core/model/lora.h"

namespace loupe::model {

AttentionImpl::AttentionImpl(const AttentionShape& attention_shape, const torch::TensorOptions& options)
    : shape(attention_shape) {
  const int64_t q_width = shape.heads * shape.head_dim, kv_width = shape.kv_heads * shape.head_dim;
  q_proj = register_module("q_proj", Linear(shape.hidden, q_width, shape.bias, options));
  k_proj = register_module("k_proj", Linear(shape.hidden, kv_width, shape.bias, options));
  v_proj = register_module("v_proj", Linear(shape.hidden, kv_width, shape.bias, options));
  o_proj = register_module(shape.out_name, Linear(q_width, shape.hidden, shape.bias, options));
  if (shape.qk_norm) {
    q_norm = register_module("q_norm", Norm(NormKind::GemmaRms, shape.head_dim, shape.norm_eps, options));
    k_norm = register_module("k_norm", Norm(NormKind::GemmaRms, shape.head_dim, shape.norm_eps, options));
  }
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, AttentionCall& call) const {
  const int64_t batch = x.size(0), length = x.size(1);
  HookSet& hooks = *call.hooks;
  auto hook = [&](Site site, const torch::Tensor& t) {
    return hooks.apply({site, call.layer, call.vision}, t, {{site, call.layer, call.vision}, call.first_position, call.prefill});
  };
  // [B, T, heads, head_dim]
  torch::Tensor q = adapted(q_proj, x, *call.hooks).view({batch, length, shape.heads, shape.head_dim});
  torch::Tensor k = adapted(k_proj, x, *call.hooks).view({batch, length, shape.kv_heads, shape.head_dim});
  torch::Tensor v = adapted(v_proj, x, *call.hooks).view({batch, length, shape.kv_heads, shape.head_dim});
  if (shape.qk_norm) {
    q = q_norm->forward(q);
    k = k_norm->forward(k);
  }
  q = hook(Site::Q, q);
  k = hook(Site::K, k);
  v = hook(Site::V, v);
  if (call.rope) {
    q = call.rope->apply(q);
    k = call.rope->apply(k);
  }
  q = q.transpose(1, 2);  // [B, heads, T, d]
  k = k.transpose(1, 2);  // [B, kv_heads, T, d]
  v = v.transpose(1, 2);
  if (call.cache) {
    LayerCache& cache = *call.cache;
    if (cache.k.defined()) {
      k = torch::cat({cache.k, k}, 2);
      v = torch::cat({cache.v, v}, 2);
    } else {
      cache.first = call.first_position;
    }
    cache.k = k;
    cache.v = v;
    if (call.keep_last > 0 && cache.length() > call.keep_last) {
      const int64_t drop = cache.length() - call.keep_last;
      cache.k = cache.k.narrow(2, drop, call.keep_last);
      cache.v = cache.v.narrow(2, drop, call.keep_last);
      cache.first += drop;
    }
  }
  const int64_t repeat = shape.heads / shape.kv_heads;  // query head h reads kv head h / repeat
  if (repeat > 1) {
    k = k.repeat_interleave(repeat, 1);
    v = v.repeat_interleave(repeat, 1);
  }
  torch::Tensor scores = torch::matmul(q, k.transpose(2, 3)) * shape.scale;  // [B, heads, T, S]
  if (call.allowed.defined())
    scores = scores.masked_fill(call.allowed.logical_not(), -std::numeric_limits<float>::infinity());
  // Scaled, masked scores before the softmax; masked keys hold -inf, as in TransformerLens. A hook
  // that sets a key's score to -inf knocks that key out (a row left with no finite score gives NaN).
  // With nothing hooked here apply() returns `scores` itself: no copy, nothing kept.
  scores = hook(Site::AttnScores, scores);
  torch::Tensor pattern = torch::softmax(scores, -1, torch::kFloat32).to(q.scalar_type());
  pattern = hook(Site::Pattern, pattern);
  torch::Tensor z = torch::matmul(pattern, v).transpose(1, 2).contiguous();  // [B, T, heads, d]
  z = hook(Site::Z, z);
  return adapted(o_proj, z.view({batch, length, shape.heads * shape.head_dim}), *call.hooks);
}

}  // namespace loupe::model
