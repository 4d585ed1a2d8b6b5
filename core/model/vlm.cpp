#include "core/model/vlm.h"

#include "core/error.h"
#include "core/text/token_type.h"
#include "core/model/weights.h"

namespace loupe::model {

namespace {

// Image runs of a token-type row: 0 for text, k > 0 for the k-th contiguous run of image tokens.
torch::Tensor image_groups(const torch::Tensor& token_types) {
  torch::Tensor is_image = token_types == kImageToken;                                           // [B, T]
  torch::Tensor previous = torch::constant_pad_nd(is_image, {1, 0}, 0).narrow(1, 0, is_image.size(1));
  torch::Tensor starts = is_image & previous.logical_not();
  return starts.to(torch::kInt64).cumsum(1) * is_image.to(torch::kInt64);
}

}  // namespace

VlmImpl::VlmImpl(const io::ModelConfig& model_config, const torch::TensorOptions& options) : config(model_config) {
  vision_tower = register_module("vision_tower", VisionTower(config.vision, options));
  multi_modal_projector = register_module("multi_modal_projector", Projector(config, options));
  language_model = register_module("language_model", LanguageModel(config.text, options));
}

int64_t VlmImpl::parameter_count() const {
  int64_t count = 0;
  for (const auto& parameter : parameters()) count += parameter.numel();
  return count;
}

torch::Tensor VlmImpl::image_features(const torch::Tensor& pixels, HookSet& hooks) const {
  const int64_t size = config.vision.image_size;
  if (pixels.dim() != 4 || pixels.size(1) != config.vision.channels || pixels.size(2) != size || pixels.size(3) != size)
    throw InputError("pixel values have shape " + c10::str(pixels.sizes()) + " but this model takes [N, " +
                     std::to_string(config.vision.channels) + ", " + std::to_string(size) + ", " +
                     std::to_string(size) + "]");
  auto tower = vision_tower->forward(pixels.to(device(), dtype()), hooks);
  torch::Tensor features = tower.last;
  if (config.family == io::Family::Llava) {
    const int64_t count = int64_t(tower.hidden.size());
    const int64_t index = config.vision_feature_layer < 0 ? count + config.vision_feature_layer : config.vision_feature_layer;
    features = tower.hidden[size_t(index)];
    if (config.drop_class_token) features = features.narrow(1, 1, features.size(1) - 1);
  }
  const HookPoint out{Site::ProjectorOut, -1, false};
  return hooks.apply(out, multi_modal_projector->forward(features), {out, 0, true});
}

torch::Tensor VlmImpl::forward(const VlmInputs& inputs, Session& session) const {
  const torch::Tensor ids = inputs.input_ids.to(device(), torch::kInt64);
  if (ids.dim() != 2) throw InputError("input_ids must be [batch, tokens], got " + c10::str(ids.sizes()));
  const int64_t length = ids.size(1);
  if (session.length + length > config.text.max_positions)
    throw InputError("the sequence would reach " + std::to_string(session.length + length) +
                     " tokens, past this model's context of " + std::to_string(config.text.max_positions));
  if ((ids < 0).any().item<bool>() || (ids >= config.text.vocab).any().item<bool>())
    throw InputError("input_ids hold a token id outside the vocabulary [0, " + std::to_string(config.text.vocab) + ")");

  const torch::Tensor image_mask = ids == config.image_token_id;  // [B, T]
  const int64_t image_tokens = image_mask.sum().item<int64_t>();
  torch::Tensor embeddings = language_model->embed(ids.masked_fill(image_mask, 0));
  const HookPoint embed{Site::Embed, -1, false};
  embeddings = session.hooks.apply(embed, embeddings, {embed, session.length, session.length == 0});

  if (inputs.pixel_values.defined()) {
    torch::Tensor features = image_features(inputs.pixel_values, session.hooks);  // [N, tokens, H]
    if (image_tokens != features.size(0) * features.size(1))
      throw InputError("the prompt holds " + std::to_string(image_tokens) + " image tokens (id " +
                       std::to_string(config.image_token_id) + ") but " + std::to_string(features.size(0)) +
                       " image(s) give " + std::to_string(features.size(0) * features.size(1)) +
                       " features; build the prompt with the family's prompt builder");
    embeddings = embeddings.masked_scatter(image_mask.unsqueeze(-1).expand_as(embeddings), features.to(embeddings.scalar_type()));
  } else if (image_tokens > 0) {
    throw InputError("the prompt holds " + std::to_string(image_tokens) + " image tokens but no image was given");
  }

  const torch::Tensor groups = session.length == 0 ? prefill_image_groups(inputs, image_mask) : torch::Tensor();
  torch::Tensor logits = language_model->forward(embeddings, session.length, groups, session.cache, session.hooks);
  session.length += length;
  return logits;
}

torch::Tensor VlmImpl::prefill_image_groups(const VlmInputs& inputs, const torch::Tensor& image_mask) const {
  if (config.family != io::Family::Gemma3) return {};
  torch::Tensor types = inputs.token_type_ids.defined() ? inputs.token_type_ids.to(device()) : image_mask.to(torch::kInt64);
  if (types.sizes() != image_mask.sizes())
    throw InputError("token_type_ids " + c10::str(types.sizes()) + " do not match input_ids " + c10::str(image_mask.sizes()));
  return image_groups(types);
}

torch::Tensor VlmImpl::resume(const VlmInputs& inputs, const torch::Tensor& hidden, int64_t layer, Session& session) const {
  if (session.length != 0) throw InputError("resuming a run from a layer needs a fresh session");
  if (layer < 0 || layer >= config.text.layers)
    throw InputError("layer " + std::to_string(layer) + " is not one of this model's " + std::to_string(config.text.layers));
  const torch::Tensor ids = inputs.input_ids.to(device(), torch::kInt64);  // [B or 1, T]
  if (hidden.dim() != 3 || hidden.size(1) != ids.size(1) || hidden.size(2) != config.text.hidden)
    throw InputError("the resumed residual stream has shape " + c10::str(hidden.sizes()) + "; expected [B, " +
                     std::to_string(ids.size(1)) + ", " + std::to_string(config.text.hidden) + "]");
  torch::Tensor groups = prefill_image_groups(inputs, ids == config.image_token_id);
  if (groups.defined()) groups = groups.expand({hidden.size(0), -1});
  torch::Tensor logits = language_model->forward(hidden, 0, groups, session.cache, session.hooks, layer);
  session.length = ids.size(1);
  return logits;
}

std::shared_ptr<const VlmImpl> load_vlm(const std::string& folder, const LoadOptions& options, jobs::JobContext* job) {
  const io::ModelConfig config = io::read_model_config(folder);
  auto model = std::make_shared<VlmImpl>(config, torch::TensorOptions().dtype(options.dtype).device(options.device));
  load_weights(*model, folder, job);
  model->eval();
  return model;
}

}  // namespace loupe::model
