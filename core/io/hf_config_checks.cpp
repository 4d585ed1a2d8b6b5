#include "core/io/hf_config_checks.h"

#include <cmath>
#include <string>

namespace loupe::io {

void check_vision_shape(const VisionConfig& vision, const util::JsonFields& v) {
  if (vision.hidden % vision.heads != 0)
    v.fail("`hidden_size` " + std::to_string(vision.hidden) + " is not a multiple of `num_attention_heads` " +
           std::to_string(vision.heads));
  if (vision.image_size % vision.patch_size != 0)
    v.fail("`image_size` " + std::to_string(vision.image_size) + " is not a multiple of `patch_size` " +
           std::to_string(vision.patch_size));
  const int64_t side = vision.patches_per_side();
  if (side * side > limits::kPatches)  // side <= kImageSize, so the square cannot overflow
    v.fail("`image_size` " + std::to_string(vision.image_size) + " in `patch_size` " + std::to_string(vision.patch_size) +
           " patches makes " + std::to_string(side * side) + " patches per image; at most " +
           std::to_string(limits::kPatches) + " are supported");
}

void check_text_shape(const TextConfig& text, const util::JsonFields& t) {
  if (text.heads % text.kv_heads != 0)
    t.fail("`num_attention_heads` " + std::to_string(text.heads) + " must be a multiple of num_key_value_heads " +
           std::to_string(text.kv_heads));
  if (text.head_dim % 2 != 0)
    t.fail("`head_dim` " + std::to_string(text.head_dim) + " must be even for rotary embeddings");
}

double estimated_parameters(const ModelConfig& config) {
  const TextConfig& t = config.text;
  const VisionConfig& v = config.vision;
  const double hidden = double(t.hidden), q_width = double(t.heads * t.head_dim);
  const double attention = hidden * (q_width + 2.0 * double(t.kv_heads * t.head_dim)) + q_width * hidden;
  const double text = double(t.vocab) * hidden * (t.tie_embeddings ? 1 : 2) +
                      double(t.layers) * (attention + 3.0 * hidden * double(t.intermediate));
  const double side = double(v.patches_per_side());
  const double vh = double(v.hidden);
  const double vision = double(v.layers) * (4.0 * vh * vh + 2.0 * vh * double(v.intermediate)) +
                        double(v.channels * v.patch_size * v.patch_size) * vh + side * side * vh;
  const double projector = vh * hidden + (config.family == Family::Llava ? hidden * hidden : 0.0);
  return text + vision + projector;
}

void check_parameter_count(const ModelConfig& config, const util::JsonFields& top) {
  const double count = estimated_parameters(config);
  if (count > limits::kParameters)
    top.fail("these sizes describe about " + std::to_string(std::llround(count / 1e9)) +
             " billion parameters, more than the " + std::to_string(std::llround(limits::kParameters / 1e9)) +
             " billion loupe accepts; check num_hidden_layers, hidden_size, intermediate_size and vocab_size");
}

}  // namespace loupe::io
