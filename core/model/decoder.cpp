#include "core/model/decoder.h"

#include <cmath>

#include "core/model/lora.h"

namespace loupe::model {

namespace {

NormKind rms_kind(const io::TextConfig& config) {
  return config.kind == io::TextKind::Gemma3 ? NormKind::GemmaRms : NormKind::LlamaRms;
}

// Which keys each query may see, [B or 1, 1, T, S]: (causal, or both tokens in the same image
// run) and, on sliding layers, not older than the window. Undefined when every key is visible.
torch::Tensor visibility(int64_t first, int64_t length, int64_t key_first, int64_t key_count, int64_t window,
                         const torch::Tensor& image_groups, const torch::Device& device) {
  if (length == 1 && window == 0) return {};
  auto options = torch::TensorOptions().dtype(torch::kInt64).device(device);
  torch::Tensor q = torch::arange(first, first + length, options).unsqueeze(1);           // [T, 1]
  torch::Tensor kv = torch::arange(key_first, key_first + key_count, options).unsqueeze(0);  // [1, S]
  torch::Tensor allowed = (kv <= q).unsqueeze(0);  // [1, T, S]
  if (image_groups.defined()) {
    // Groups of the keys: cached keys (before this chunk) belong to no image.
    torch::Tensor groups = image_groups.to(device);
    torch::Tensor key_groups = torch::zeros({groups.size(0), key_count}, options);
    const int64_t offset = first - key_first;
    if (offset >= 0) key_groups.narrow(1, offset, length).copy_(groups);
    torch::Tensor same = (groups.unsqueeze(2) == key_groups.unsqueeze(1)) & (groups.unsqueeze(2) > 0);
    allowed = allowed | same;  // [B, T, S]
  }
  // The window applies last: image tokens too see nothing older than the window (the reference
  // fixtures show transformers 5 does this).
  if (window > 0) allowed = allowed & (kv > q - window).unsqueeze(0);
  return allowed.unsqueeze(1);
}

}  // namespace

GatedMlpImpl::GatedMlpImpl(int64_t hidden, int64_t intermediate, io::Activation act, const torch::TensorOptions& options)
    : activation(act) {
  gate_proj = register_module("gate_proj", Linear(hidden, intermediate, false, options));
  up_proj = register_module("up_proj", Linear(hidden, intermediate, false, options));
  down_proj = register_module("down_proj", Linear(intermediate, hidden, false, options));
}

torch::Tensor GatedMlpImpl::forward(const torch::Tensor& x, HookSet& hooks, const HookContext& context) const {
  torch::Tensor post = activate(adapted(gate_proj, x, hooks), activation) * adapted(up_proj, x, hooks);  // [B, T, intermediate]
  post = hooks.apply(context.point, post, context);
  return adapted(down_proj, post, hooks);
}

DecoderLayerImpl::DecoderLayerImpl(const io::TextConfig& config, const torch::TensorOptions& options)
    : sandwich(config.kind == io::TextKind::Gemma3) {
  const NormKind kind = rms_kind(config);
  AttentionShape shape;
  shape.hidden = config.hidden;
  shape.heads = config.heads;
  shape.kv_heads = config.kv_heads;
  shape.head_dim = config.head_dim;
  shape.scale = config.attention_scale;
  shape.qk_norm = sandwich;
  shape.norm_eps = config.eps;
  input_layernorm = register_module("input_layernorm", Norm(kind, config.hidden, config.eps, options));
  self_attn = register_module("self_attn", Attention(shape, options));
  post_attention_layernorm = register_module("post_attention_layernorm", Norm(kind, config.hidden, config.eps, options));
  if (sandwich) {
    pre_feedforward_layernorm = register_module("pre_feedforward_layernorm", Norm(kind, config.hidden, config.eps, options));
    post_feedforward_layernorm = register_module("post_feedforward_layernorm", Norm(kind, config.hidden, config.eps, options));
  }
  mlp = register_module("mlp", GatedMlp(config.hidden, config.intermediate, config.activation, options));
}

torch::Tensor DecoderLayerImpl::forward(torch::Tensor h, AttentionCall& call) const {
  HookSet& hooks = *call.hooks;
  auto context = [&](Site site) { return HookContext{{site, call.layer, false}, call.first_position, call.prefill}; };
  auto hook = [&](Site site, const torch::Tensor& t) { return hooks.apply({site, call.layer, false}, t, context(site)); };

  h = hook(Site::ResidPre, h);
  torch::Tensor attn_out = self_attn->forward(input_layernorm->forward(h), call);
  if (sandwich) attn_out = post_attention_layernorm->forward(attn_out);
  h = hook(Site::ResidMid, h + hook(Site::AttnOut, attn_out));
  // Llama names its pre-MLP norm post_attention_layernorm; Gemma 3 has a separate one.
  torch::Tensor mlp_in = sandwich ? pre_feedforward_layernorm->forward(h) : post_attention_layernorm->forward(h);
  torch::Tensor mlp_out = mlp->forward(mlp_in, hooks, context(Site::MlpPost));
  if (sandwich) mlp_out = post_feedforward_layernorm->forward(mlp_out);
  return hook(Site::ResidPost, h + hook(Site::MlpOut, mlp_out));
}

TextModelImpl::TextModelImpl(const io::TextConfig& config, const torch::TensorOptions& options) {
  embed_tokens = register_module("embed_tokens", Embedding(config.vocab, config.hidden, options));
  layers = register_module("layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < config.layers; ++i) {
    blocks.push_back(DecoderLayer(config, options));
    layers->push_back(blocks.back());
  }
  norm = register_module("norm", Norm(rms_kind(config), config.hidden, config.eps, options));
}

LanguageModelImpl::LanguageModelImpl(const io::TextConfig& text_config, const torch::TensorOptions& options)
    : config(text_config),
      rope_global(text_config.rope_global, text_config.head_dim),
      rope_local(text_config.rope_local, text_config.head_dim) {
  model = register_module("model", TextModel(config, options));
  if (!config.tie_embeddings) lm_head = register_module("lm_head", Linear(config.hidden, config.vocab, false, options));
}

torch::Tensor LanguageModelImpl::unembedding() const {
  return config.tie_embeddings ? model->embed_tokens->weight : lm_head->weight;
}

torch::Tensor LanguageModelImpl::embed(const torch::Tensor& ids) const {
  torch::Tensor embeddings = model->embed_tokens->forward(ids);
  if (config.scale_embeddings) {
    // float32(sqrt(hidden)) cast to the weight dtype, as transformers does (50.5 in bf16 for 2560).
    const float scale = float(std::sqrt(double(config.hidden)));
    embeddings = embeddings * torch::scalar_tensor(scale).to(embeddings.scalar_type());
  }
  return embeddings;
}

torch::Tensor LanguageModelImpl::forward(const torch::Tensor& embeddings, int64_t first, const torch::Tensor& image_groups,
                                         std::vector<LayerCache>& cache, HookSet& hooks, int64_t first_layer) const {
  const int64_t length = embeddings.size(1);
  const bool prefill = cache.empty() || cache.front().length() == 0;
  cache.resize(size_t(config.layers));
  const auto device = embeddings.device();
  const torch::Tensor positions = torch::arange(first, first + length, torch::kInt64);

  // One mask and one rotary table per layer kind (global, sliding), computed once for all layers of
  // that kind; the mask from the cache state before this call (all layers of a kind agree).
  torch::Tensor masks[2];
  RopeTable rope_tables[2];
  for (int sliding = 0; sliding < 2; ++sliding) {
    int64_t layer = -1;
    for (int64_t i = 0; i < config.layers; ++i)
      if (config.is_sliding[size_t(i)] == bool(sliding)) layer = i;
    if (layer < 0) continue;
    const LayerCache& c = cache[size_t(layer)];
    const int64_t key_first = c.length() ? c.first : first;
    rope_tables[sliding] = (sliding ? rope_local : rope_global).table(positions, device, embeddings.scalar_type());
    masks[sliding] = visibility(first, length, key_first, c.length() + length, sliding ? config.sliding_window : 0,
                                prefill ? image_groups : torch::Tensor(), device);
  }

  torch::Tensor h = embeddings;
  for (int64_t i = first_layer; i < config.layers; ++i) {
    const bool sliding = config.is_sliding[size_t(i)];
    AttentionCall call;
    call.hooks = &hooks;
    call.layer = i;
    call.first_position = first;
    call.prefill = prefill;
    call.rope = &rope_tables[sliding];
    call.allowed = masks[sliding];
    call.cache = &cache[size_t(i)];
    call.keep_last = sliding ? config.sliding_window - 1 : 0;
    h = model->blocks[size_t(i)]->forward(h, call);
  }
  const HookContext context{{Site::FinalNorm, -1, false}, first, prefill};
  h = hooks.apply(context.point, model->norm->forward(h), context);
  torch::Tensor logits = config.tie_embeddings ? torch::linear(h, model->embed_tokens->weight) : lm_head->forward(h);
  return hooks.apply({Site::Logits, -1, false}, logits, {{Site::Logits, -1, false}, first, prefill});
}

}  // namespace loupe::model
