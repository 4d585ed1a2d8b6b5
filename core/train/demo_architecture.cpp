#include "core/train/demo_architecture.h"

#include <cmath>
#include <string>

#include "core/error.h"
#include "core/text/tokenizer_builder.h"

namespace loupe::train {

namespace {

using text::DemoTokenIds;

void require(bool condition, const std::string& message) {
  if (!condition) throw InputError("demo architecture: " + message);
}

void validate(const DemoArchitecture& a) {
  require(a.patch_size > 0 && a.image_size % a.patch_size == 0, "image_size must be a multiple of patch_size");
  const int64_t patches = a.image_size / a.patch_size;
  const auto tokens_side = int64_t(std::llround(std::sqrt(double(a.image_tokens))));
  require(tokens_side * tokens_side == a.image_tokens && tokens_side > 0 && patches % tokens_side == 0,
          "image_tokens must be a square whose side divides the patches per side (" + std::to_string(patches) + ")");
  require(a.vision_heads > 0 && a.vision_hidden % a.vision_heads == 0, "vision_hidden must be a multiple of vision_heads");
  require(a.text_kv_heads > 0 && a.text_heads % a.text_kv_heads == 0, "text_heads must be a multiple of text_kv_heads");
  require(a.text_layers > 0 && a.vision_layers > 0 && a.sliding_pattern > 0, "layer counts must be positive");
}

}  // namespace

nlohmann::json demo_config_json(const DemoArchitecture& a, int64_t vocab) {
  validate(a);
  nlohmann::json layer_types = nlohmann::json::array();
  for (int64_t i = 0; i < a.text_layers; ++i)
    layer_types.push_back((i + 1) % a.sliding_pattern == 0 ? "full_attention" : "sliding_attention");
  const nlohmann::json text = {
      {"_sliding_window_pattern", a.sliding_pattern},
      {"attention_bias", false},
      {"attention_dropout", 0.0},
      {"attn_logit_softcapping", nullptr},
      {"bos_token_id", DemoTokenIds::bos},
      {"eos_token_id", DemoTokenIds::eos},
      {"final_logit_softcapping", nullptr},
      {"head_dim", a.head_dim},
      {"hidden_activation", "gelu_pytorch_tanh"},
      {"hidden_size", a.text_hidden},
      {"initializer_range", 0.02},
      {"intermediate_size", a.text_intermediate},
      {"layer_types", layer_types},
      {"max_position_embeddings", a.max_positions},
      {"model_type", "gemma3_text"},
      {"num_attention_heads", a.text_heads},
      {"num_hidden_layers", a.text_layers},
      {"num_key_value_heads", a.text_kv_heads},
      {"pad_token_id", DemoTokenIds::pad},
      {"query_pre_attn_scalar", a.head_dim},
      {"rms_norm_eps", 1e-6},
      {"rope_parameters",
       {{"full_attention", {{"rope_theta", 1000000.0}, {"rope_type", "default"}}},
        {"sliding_attention", {{"rope_theta", 10000.0}, {"rope_type", "default"}}}}},
      {"sliding_window", a.sliding_window},
      {"tie_word_embeddings", true},
      {"use_bidirectional_attention", false},
      {"use_cache", true},
      {"vocab_size", vocab}};
  const nlohmann::json vision = {{"attention_dropout", 0.0},
                                 {"hidden_act", "gelu_pytorch_tanh"},
                                 {"hidden_size", a.vision_hidden},
                                 {"image_size", a.image_size},
                                 {"intermediate_size", a.vision_intermediate},
                                 {"layer_norm_eps", 1e-6},
                                 {"model_type", "siglip_vision_model"},
                                 {"num_attention_heads", a.vision_heads},
                                 {"num_channels", 3},
                                 {"num_hidden_layers", a.vision_layers},
                                 {"patch_size", a.patch_size},
                                 {"vision_use_head", false}};
  return {{"architectures", {"Gemma3ForConditionalGeneration"}},
          {"boi_token_index", DemoTokenIds::start_of_image},
          {"dtype", "float32"},
          {"eoi_token_index", DemoTokenIds::end_of_image},
          {"image_token_index", DemoTokenIds::image_soft_token},
          {"initializer_range", 0.02},
          {"mm_tokens_per_image", a.image_tokens},
          {"model_type", "gemma3"},
          {"text_config", text},
          {"tie_word_embeddings", true},
          {"vision_config", vision}};
}

nlohmann::json demo_generation_config_json() {
  return {{"bos_token_id", DemoTokenIds::bos},
          {"eos_token_id", {DemoTokenIds::eos, DemoTokenIds::end_of_turn}},
          {"pad_token_id", DemoTokenIds::pad},
          {"use_cache", true}};
}

}  // namespace loupe::train
