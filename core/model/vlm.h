// A vision-language model: vision tower + projector + decoder, in Hugging Face layout
// (Gemma3ForConditionalGeneration, LlavaForConditionalGeneration).
#pragma once
#include <torch/torch.h>

#include <memory>
#include <string>

#include "core/io/hf_config.h"
#include "core/jobs/job.h"
#include "core/model/decoder.h"
#include "core/model/projector.h"
#include "core/model/session.h"
#include "core/model/vision.h"

namespace loupe::model {

struct LoadOptions {
  torch::ScalarType dtype = torch::kFloat32;  // compute and storage dtype of the weights
  torch::Device device = torch::kCPU;
};

struct VlmInputs {
  torch::Tensor input_ids;       // [B, T] int64
  torch::Tensor pixel_values;    // [N, 3, S, S], the images in the order their tokens appear; may be undefined
  torch::Tensor token_type_ids;  // [B, T], 1 at image tokens; derived from input_ids when undefined
};

struct VlmImpl : torch::nn::Module {
  VlmImpl(const io::ModelConfig& config, const torch::TensorOptions& options);

  // Runs input_ids at the positions after what `session` has consumed, extends its cache, and
  // returns logits [B, T, vocab]. Throws InputError when image tokens and images do not match or
  // the sequence outgrows the model's context.
  torch::Tensor forward(const VlmInputs& inputs, Session& session) const;
  // The decoder alone from layer `layer` on: hidden [B, T, hidden] is the residual stream entering
  // that layer in a prefill of `inputs` (captured at blocks.{layer}.hook_resid_pre); returns logits
  // [B, T, vocab] and fires the hooks of that layer on. Patching uses it to skip the layers a patch
  // cannot change. `session` must be fresh, and cannot decode on afterwards (the skipped layers
  // cache nothing).
  torch::Tensor resume(const VlmInputs& inputs, const torch::Tensor& hidden, int64_t layer, Session& session) const;
  // pixels [N, 3, S, S] → projected image features [N, image_tokens, hidden] (fires vision hooks).
  torch::Tensor image_features(const torch::Tensor& pixels, HookSet& hooks) const;

  torch::Device device() const { return language_model->model->embed_tokens->weight.device(); }
  torch::ScalarType dtype() const { return language_model->model->embed_tokens->weight.scalar_type(); }
  int64_t parameter_count() const;
  // Gemma 3's image groups of a prefill ([B, T], see LanguageModelImpl::forward); undefined for Llava.
  torch::Tensor prefill_image_groups(const VlmInputs& inputs, const torch::Tensor& image_mask) const;

  io::ModelConfig config;
  VisionTower vision_tower{nullptr};
  Projector multi_modal_projector{nullptr};
  LanguageModel language_model{nullptr};
};
TORCH_MODULE(Vlm);

// Reads config.json and the safetensors weights of a Hugging Face folder. The model is const once
// loaded (parameters do not require grad): share it between threads, each with its own Session.
// Training builds a module of its own (core/train). `job`, when given, shows the load's progress
// (one item per weight) and may cancel it.
std::shared_ptr<const VlmImpl> load_vlm(const std::string& folder, const LoadOptions& options = {},
                                        jobs::JobContext* job = nullptr);

}  // namespace loupe::model
