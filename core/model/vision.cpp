#include "core/model/vision.h"

#include "core/model/lora.h"

namespace loupe::model {

namespace {
bool is_clip(const io::VisionConfig& config) { return config.kind == io::VisionKind::Clip; }
}  // namespace

VisionMlpImpl::VisionMlpImpl(const io::VisionConfig& config, const torch::TensorOptions& options)
    : activation(config.activation) {
  fc1 = register_module("fc1", Linear(config.hidden, config.intermediate, true, options));
  fc2 = register_module("fc2", Linear(config.intermediate, config.hidden, true, options));
}

VisionLayerImpl::VisionLayerImpl(const io::VisionConfig& config, const torch::TensorOptions& options) {
  AttentionShape shape;
  shape.hidden = config.hidden;
  shape.heads = shape.kv_heads = config.heads;
  shape.head_dim = config.head_dim();
  shape.scale = 1.0 / std::sqrt(double(shape.head_dim));
  shape.bias = true;
  shape.out_name = "out_proj";
  layer_norm1 = register_module("layer_norm1", Norm(NormKind::Layer, config.hidden, config.eps, options));
  self_attn = register_module("self_attn", Attention(shape, options));
  layer_norm2 = register_module("layer_norm2", Norm(NormKind::Layer, config.hidden, config.eps, options));
  mlp = register_module("mlp", VisionMlp(config, options));
}

torch::Tensor VisionLayerImpl::forward(torch::Tensor h, AttentionCall& call) const {
  HookSet& hooks = *call.hooks;
  auto hook = [&](Site site, const torch::Tensor& t) {
    return hooks.apply({site, call.layer, true}, t, {{site, call.layer, true}, 0, true});
  };
  h = hook(Site::ResidPre, h);
  h = hook(Site::ResidMid, h + hook(Site::AttnOut, self_attn->forward(layer_norm1->forward(h), call)));
  torch::Tensor post = hook(Site::MlpPost, activate(adapted(mlp->fc1, layer_norm2->forward(h), *call.hooks), mlp->activation));
  return hook(Site::ResidPost, h + hook(Site::MlpOut, adapted(mlp->fc2, post, *call.hooks)));
}

VisionEmbeddingsImpl::VisionEmbeddingsImpl(const io::VisionConfig& config, const torch::TensorOptions& options)
    : patch_size(config.patch_size) {
  // Registered as "patch_embedding.weight"/".bias" through a child module for checkpoint names.
  auto patch = register_module("patch_embedding", std::make_shared<torch::nn::Module>());
  patch_weight = patch->register_parameter(
      "weight", torch::empty({config.hidden, config.channels, config.patch_size, config.patch_size}, options));
  if (!is_clip(config)) patch_bias = patch->register_parameter("bias", torch::empty({config.hidden}, options));
  int64_t positions = config.patches_per_side() * config.patches_per_side();
  if (is_clip(config)) {
    class_embedding = register_parameter("class_embedding", torch::empty({config.hidden}, options));
    positions += 1;
  }
  position_embedding = register_module("position_embedding", Embedding(positions, config.hidden, options));
}

torch::Tensor VisionEmbeddingsImpl::forward(const torch::Tensor& pixels) const {
  // [N, hidden, side, side] → [N, P, hidden], patch index = row · side + col
  torch::Tensor patches = torch::conv2d(pixels.to(patch_weight.scalar_type()), patch_weight, patch_bias, {patch_size, patch_size})
                              .flatten(2)
                              .transpose(1, 2);
  if (class_embedding.defined()) {
    torch::Tensor cls = class_embedding.view({1, 1, -1}).expand({patches.size(0), 1, patches.size(2)});
    patches = torch::cat({cls, patches}, 1);
  }
  return patches + position_embedding->weight.unsqueeze(0);
}

VisionEncoderImpl::VisionEncoderImpl(const io::VisionConfig& config, const torch::TensorOptions& options) {
  layers = register_module("layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < config.layers; ++i) {
    blocks.push_back(VisionLayer(config, options));
    layers->push_back(blocks.back());
  }
}

VisionTowerImpl::VisionTowerImpl(const io::VisionConfig& vision_config, const torch::TensorOptions& options)
    : config(vision_config) {
  embeddings = register_module("embeddings", VisionEmbeddings(config, options));
  if (is_clip(config)) pre_layrnorm = register_module("pre_layrnorm", Norm(NormKind::Layer, config.hidden, config.eps, options));
  encoder = register_module("encoder", VisionEncoder(config, options));
  post_layernorm = register_module("post_layernorm", Norm(NormKind::Layer, config.hidden, config.eps, options));
}

VisionTowerImpl::Output VisionTowerImpl::forward(const torch::Tensor& pixels, HookSet& hooks) const {
  Output out;
  const HookPoint embed{Site::Embed, -1, true};
  torch::Tensor h = hooks.apply(embed, embeddings->forward(pixels), {embed, 0, true});
  if (pre_layrnorm) h = pre_layrnorm->forward(h);
  out.hidden.push_back(h);
  for (size_t i = 0; i < encoder->blocks.size(); ++i) {
    AttentionCall call;
    call.hooks = &hooks;
    call.layer = int64_t(i);
    call.vision = true;
    h = encoder->blocks[i]->forward(h, call);
    out.hidden.push_back(h);
  }
  if (is_clip(config)) {
    out.last = h;
  } else {
    const HookPoint final_norm{Site::FinalNorm, -1, true};
    out.last = hooks.apply(final_norm, post_layernorm->forward(h), {final_norm, 0, true});
  }
  return out;
}

}  // namespace loupe::model
