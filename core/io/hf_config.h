// Hugging Face config.json reading for the supported families. Both the hub's older style
// (sliding_window_pattern, rope_scaling, rope_theta, rope_local_base_freq, omitted defaults) and the
// newer style (layer_types, rope_parameters) give the same ModelConfig; omitted fields take the
// defaults that transformers' config classes fill in.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace loupe::io {

enum class Family { Gemma3, Llava };
enum class Activation { GeluTanh, GeluErf, QuickGelu, Silu };

const char* family_name(Family family);  // "gemma3", "llava"

// What differs between the towers and the decoders, decided once when the config is read.
enum class VisionKind { Siglip, Clip };
enum class TextKind { Gemma3, Llama };  // Gemma 3: (1 + w) RMSNorms and sandwich norms around each block
const char* vision_kind_name(VisionKind kind);  // "siglip", "clip"
const char* text_kind_name(TextKind kind);      // "gemma3_text", "llama"

struct RopeConfig {
  double theta = 10000.0;
  double linear_factor = 1.0;  // positions are divided by this ("linear" scaling)
};

struct VisionConfig {
  VisionKind kind = VisionKind::Siglip;
  int64_t hidden = 0, intermediate = 0, layers = 0, heads = 0;
  int64_t image_size = 0, patch_size = 0, channels = 3;
  double eps = 1e-6;
  Activation activation = Activation::GeluTanh;

  int64_t patches_per_side() const { return image_size / patch_size; }
  int64_t head_dim() const { return hidden / heads; }
};

struct TextConfig {
  TextKind kind = TextKind::Gemma3;
  int64_t vocab = 0, hidden = 0, intermediate = 0, layers = 0, heads = 0, kv_heads = 0, head_dim = 0;
  int64_t max_positions = 0;
  double eps = 1e-6;
  Activation activation = Activation::GeluTanh;
  double attention_scale = 0;    // multiplies q·k: query_pre_attn_scalar^-0.5 (Gemma 3) or head_dim^-0.5
  int64_t sliding_window = 0;    // 0: no sliding layers
  std::vector<bool> is_sliding;  // per layer
  RopeConfig rope_global;        // full-attention layers
  RopeConfig rope_local;         // sliding layers
  bool tie_embeddings = false;
  bool scale_embeddings = false;  // Gemma: token embeddings times sqrt(hidden)
  int64_t bos_id = -1, pad_id = -1;
};

struct ModelConfig {
  Family family = Family::Gemma3;
  std::string source;  // the config.json it came from
  std::string stored_dtype;  // "float32", "bfloat16", ... as the config says
  TextConfig text;
  VisionConfig vision;
  int64_t image_token_id = -1;
  int64_t boi_token_id = -1, eoi_token_id = -1;  // Gemma 3 only
  int64_t image_tokens = 0;                      // per image in the prompt
  std::vector<int64_t> eos_ids;                  // generation stops on any of them
  // LLaVA projector and feature selection
  int64_t vision_feature_layer = -2;
  bool drop_class_token = true;  // vision_feature_select_strategy "default"
  Activation projector_activation = Activation::GeluErf;
  bool projector_bias = true;
};

// `path`: a model folder (config.json + optional generation_config.json) or a config.json file.
// Throws ConfigError naming the file, the section and the field: a value of the wrong type, a size
// outside the bounds of core/io/hf_config_checks.h (zero, negative, absurdly large), sizes that do
// not divide, a token id outside the vocabulary. An unknown model_type lists the supported ones.
ModelConfig read_model_config(const std::string& path);

}  // namespace loupe::io
