#include "core/io/hf_config.h"

#include <cmath>
#include <filesystem>

#include "core/error.h"
#include "core/io/hf_config_checks.h"
#include "core/util/json_fields.h"

namespace loupe::io {

namespace fs = std::filesystem;
using util::JsonFields;

namespace {

Activation parse_activation(const std::string& name, const JsonFields& f) {
  if (name == "gelu_pytorch_tanh" || name == "gelu_new" || name == "gelu_fast") return Activation::GeluTanh;
  if (name == "gelu") return Activation::GeluErf;
  if (name == "quick_gelu") return Activation::QuickGelu;
  if (name == "silu" || name == "swish") return Activation::Silu;
  f.fail("unsupported activation '" + name + "' (supported: gelu_pytorch_tanh, gelu, quick_gelu, silu)");
}

RopeConfig parse_rope(const JsonFields& params, double default_theta) {
  RopeConfig rope;
  rope.theta = params.positive("rope_theta", default_theta, limits::kRopeTheta);
  const std::string type = params.string("rope_type", params.string("type", "default"));
  if (type == "linear") {
    rope.linear_factor = params.positive("factor", 1.0, limits::kRopeFactor);
  } else if (type != "default") {
    params.fail("unsupported rope type '" + type + "' (supported: default, linear)");
  }
  return rope;
}

// " (token ids are below text_config's vocab_size 300)"
std::string below_vocab(int64_t vocab) {
  return "(token ids are below text_config's vocab_size " + std::to_string(vocab) + ")";
}

int64_t token_id(const JsonFields& f, std::initializer_list<const char*> aliases, int64_t fallback, int64_t vocab) {
  const char* key = f.first_present(aliases);
  return f.integer_in(key ? key : *aliases.begin(), fallback, 0, vocab - 1, below_vocab(vocab));
}

// `key` holds one token id or a list of them (eos_token_id); absent, null or an empty list: `fallback`.
std::vector<int64_t> token_ids(const JsonFields& f, const char* key, std::vector<int64_t> fallback, int64_t vocab) {
  const nlohmann::json& value = f.value(key);
  if (value.is_array()) {
    std::vector<int64_t> ids = f.integer_list(key, 0, vocab - 1, limits::kIdsPerList);
    return ids.empty() ? fallback : ids;
  }
  if (!value.is_null() && !value.is_number_integer())
    f.fail(std::string("`") + key + "` must be a token id or a list of them, not " + util::describe_json(value));
  return f.has(key) ? std::vector<int64_t>{f.integer_in(key, 0, vocab - 1, below_vocab(vocab))} : fallback;
}

VisionConfig read_vision(const JsonFields& f, const VisionConfig& defaults) {
  VisionConfig v = defaults;
  const bool clip = v.kind == VisionKind::Clip;
  v.hidden = f.integer_in("hidden_size", v.hidden, 1, limits::kHidden);
  v.intermediate = f.integer_in("intermediate_size", v.intermediate, 1, limits::kIntermediate);
  v.layers = f.integer_in("num_hidden_layers", v.layers, 1, limits::kLayers);
  v.heads = f.integer_in("num_attention_heads", v.heads, 1, limits::kHeads);
  v.image_size = f.integer_in("image_size", v.image_size, 1, limits::kImageSize);
  v.patch_size = f.integer_in("patch_size", v.patch_size, 1, v.image_size, "(the image_size)");
  v.channels = f.integer_in("num_channels", 3, 3, 3, "(loupe feeds RGB images)");
  v.eps = f.positive("layer_norm_eps", clip ? 1e-5 : 1e-6, limits::kEps);
  v.activation = parse_activation(f.string("hidden_act", clip ? "quick_gelu" : "gelu_pytorch_tanh"), f);
  check_vision_shape(v, f);
  return v;
}

// transformers' SiglipVisionConfig and CLIPVisionConfig defaults.
VisionConfig default_tower(VisionKind kind) {
  VisionConfig v;
  v.kind = kind;
  v.hidden = 768, v.intermediate = 3072, v.layers = 12, v.heads = 12, v.image_size = 224;
  v.patch_size = v.kind == VisionKind::Clip ? 32 : 16;
  return v;
}

// Sizes both decoders share, with their families' defaults.
void read_text_sizes(const JsonFields& t, TextConfig& text, const TextConfig& defaults) {
  text.vocab = t.integer_in("vocab_size", defaults.vocab, 1, limits::kVocab);
  text.hidden = t.integer_in("hidden_size", defaults.hidden, 1, limits::kHidden);
  text.intermediate = t.integer_in("intermediate_size", defaults.intermediate, 1, limits::kIntermediate);
  text.layers = t.integer_in("num_hidden_layers", defaults.layers, 1, limits::kLayers);
  text.heads = t.integer_in("num_attention_heads", defaults.heads, 1, limits::kHeads);
  text.kv_heads = t.integer_in("num_key_value_heads", defaults.kv_heads ? defaults.kv_heads : text.heads, 1, text.heads,
                               "(the num_attention_heads)");
  text.head_dim = t.integer_in("head_dim", defaults.head_dim ? defaults.head_dim : text.hidden / text.heads, 2,
                               limits::kHeadDim);
  text.max_positions = t.integer_in("max_position_embeddings", defaults.max_positions, 1, limits::kPositions);
  text.eps = t.positive("rms_norm_eps", 1e-6, limits::kEps);
  check_text_shape(text, t);
}

void read_gemma3(const JsonFields& top, ModelConfig& config) {
  const JsonFields t = top.section("text_config");
  TextConfig& text = config.text;
  text.kind = TextKind::Gemma3;
  TextConfig defaults;  // Gemma3TextConfig's
  defaults.vocab = 262208, defaults.hidden = 2304, defaults.intermediate = 9216, defaults.layers = 26;
  defaults.heads = 8, defaults.kv_heads = 4, defaults.head_dim = 256, defaults.max_positions = 131072;
  read_text_sizes(t, text, defaults);
  text.activation = parse_activation(t.string("hidden_activation", t.string("hidden_act", "gelu_pytorch_tanh")), t);
  text.attention_scale = 1.0 / std::sqrt(t.positive("query_pre_attn_scalar", 256, limits::kAttentionScalar));
  text.sliding_window = t.integer_in("sliding_window", 4096, 1, limits::kPositions);
  text.tie_embeddings = top.boolean("tie_word_embeddings", t.boolean("tie_word_embeddings", true));
  text.scale_embeddings = true;
  text.bos_id = t.integer_in("bos_token_id", 2, -1, text.vocab - 1, below_vocab(text.vocab));
  text.pad_id = t.integer_in("pad_token_id", 0, -1, text.vocab - 1, below_vocab(text.vocab));
  if (t.has("final_logit_softcapping") || t.has("attn_logit_softcapping"))
    t.fail("logit softcapping (Gemma 2 style) is not supported for Gemma 3");

  if (t.has("layer_types")) {
    const std::vector<std::string> types = t.string_list("layer_types", size_t(limits::kLayers));
    if (int64_t(types.size()) != text.layers)
      t.fail("`layer_types` must list one type per layer (" + std::to_string(text.layers) + "), not " +
             std::to_string(types.size()));
    for (size_t i = 0; i < types.size(); ++i) {
      if (types[i] != "sliding_attention" && types[i] != "full_attention")
        t.fail("`layer_types[" + std::to_string(i) + "]` is an unknown layer type " +
               util::describe_json(types[i]) + " (supported: sliding_attention, full_attention)");
      text.is_sliding.push_back(types[i] == "sliding_attention");
    }
  } else {
    const char* key = t.first_present({"sliding_window_pattern", "_sliding_window_pattern"});
    const int64_t pattern = t.integer_in(key ? key : "sliding_window_pattern", 6, 1, limits::kLayers);
    for (int64_t i = 0; i < text.layers; ++i) text.is_sliding.push_back((i + 1) % pattern != 0);
  }

  if (t.has("rope_parameters")) {  // newer style: one entry per layer type
    const JsonFields rope = t.section("rope_parameters");
    text.rope_global = parse_rope(rope.section("full_attention"), 1e6);
    text.rope_local = parse_rope(rope.section("sliding_attention"), 1e4);
  } else {  // hub style
    const double theta = t.positive("rope_theta", 1e6, limits::kRopeTheta);
    text.rope_global = parse_rope(t.section("rope_scaling"), theta);
    text.rope_global.theta = theta;
    text.rope_local = RopeConfig{t.positive("rope_local_base_freq", 1e4, limits::kRopeTheta), 1.0};
  }

  const JsonFields v = top.section("vision_config");
  config.vision = read_vision(v, default_tower(VisionKind::Siglip));
  if (v.boolean("vision_use_head", false))
    top.fail("vision_use_head is not supported (Gemma 3 uses no pooling head)");
  const int64_t side = config.vision.patches_per_side();
  config.image_tokens = top.integer_in("mm_tokens_per_image", 256, 1, side * side, "(the patches per image)");
  config.image_token_id = token_id(top, {"image_token_index", "image_token_id"}, 262144, text.vocab);
  config.boi_token_id = token_id(top, {"boi_token_index", "boi_token_id"}, 255999, text.vocab);
  config.eoi_token_id = token_id(top, {"eoi_token_index", "eoi_token_id"}, 256000, text.vocab);
  config.eos_ids = token_ids(top, "eos_token_id", token_ids(t, "eos_token_id", {1}, text.vocab), text.vocab);
  const int64_t tokens_side = int64_t(std::llround(std::sqrt(double(config.image_tokens))));
  if (tokens_side * tokens_side != config.image_tokens || side % tokens_side != 0)
    top.fail("mm_tokens_per_image " + std::to_string(config.image_tokens) + " must be a square that divides the " +
             std::to_string(side) + "x" + std::to_string(side) + " patch grid");
}

void read_llava(const JsonFields& top, ModelConfig& config) {
  const JsonFields t = top.section("text_config");
  TextConfig& text = config.text;
  const std::string text_type = t.string("model_type", "llama");
  if (text_type != "llama") t.fail("text model_type '" + text_type + "' is not supported (supported: llama)");
  text.kind = TextKind::Llama;
  TextConfig defaults;  // LlamaConfig's; kv heads and head_dim follow the heads and width
  defaults.vocab = 32000, defaults.hidden = 4096, defaults.intermediate = 11008, defaults.layers = 32;
  defaults.heads = 32, defaults.kv_heads = 0, defaults.head_dim = 0, defaults.max_positions = 2048;
  read_text_sizes(t, text, defaults);
  text.activation = parse_activation(t.string("hidden_act", "silu"), t);
  text.attention_scale = 1.0 / std::sqrt(double(text.head_dim));
  text.is_sliding.assign(size_t(text.layers), false);
  if (t.has("rope_parameters")) {
    text.rope_global = parse_rope(t.section("rope_parameters"), 1e4);
  } else {
    const double theta = t.positive("rope_theta", 1e4, limits::kRopeTheta);
    text.rope_global = parse_rope(t.section("rope_scaling"), theta);
    text.rope_global.theta = theta;
  }
  text.rope_local = text.rope_global;
  text.tie_embeddings = t.boolean("tie_word_embeddings", top.boolean("tie_word_embeddings", false));
  text.bos_id = t.integer_in("bos_token_id", 1, -1, text.vocab - 1, below_vocab(text.vocab));
  text.pad_id = t.integer_in("pad_token_id", -1, -1, text.vocab - 1, below_vocab(text.vocab));
  if (t.boolean("attention_bias", false) || t.boolean("mlp_bias", false))
    t.fail("attention_bias / mlp_bias are not supported");

  const JsonFields v = top.section("vision_config");
  const std::string vision_type = v.string("model_type", "clip_vision_model");
  if (vision_type != "clip_vision_model")
    v.fail("vision model_type '" + vision_type + "' is not supported (supported: clip_vision_model)");
  VisionConfig tower = default_tower(VisionKind::Clip);
  if (!top.has("vision_config")) {  // LlavaConfig's own default tower (llava-1.5)
    tower.hidden = 1024, tower.intermediate = 4096, tower.layers = 24;
    tower.heads = 16, tower.image_size = 336, tower.patch_size = 14;
  }
  config.vision = read_vision(v, tower);
  config.image_token_id = token_id(top, {"image_token_index", "image_token_id"}, 32000, text.vocab);
  const int64_t patches = config.vision.patches_per_side() * config.vision.patches_per_side();
  config.image_tokens = patches;  // "default" strategy drops the class token: one token per patch
  const int64_t layers = config.vision.layers;
  config.vision_feature_layer = top.integer_in("vision_feature_layer", -2, -(layers + 1), layers,
                                               "(the tower has " + std::to_string(layers) + " layers)");
  const std::string strategy = top.string("vision_feature_select_strategy", "default");
  if (strategy != "default" && strategy != "full") top.fail("unknown vision_feature_select_strategy '" + strategy + "'");
  config.drop_class_token = strategy == "default";
  if (!config.drop_class_token) config.image_tokens = patches + 1;
  config.projector_activation = parse_activation(top.string("projector_hidden_act", "gelu"), top);
  config.projector_bias = top.boolean("multimodal_projector_bias", true);
  config.eos_ids = token_ids(t, "eos_token_id", token_ids(top, "eos_token_id", {2}, text.vocab), text.vocab);
}

}  // namespace

const char* family_name(Family family) { return family == Family::Gemma3 ? "gemma3" : "llava"; }
const char* vision_kind_name(VisionKind kind) { return kind == VisionKind::Clip ? "clip" : "siglip"; }
const char* text_kind_name(TextKind kind) { return kind == TextKind::Llama ? "llama" : "gemma3_text"; }

ModelConfig read_model_config(const std::string& path) {
  const fs::path file = fs::is_directory(path) ? fs::path(path) / "config.json" : fs::path(path);
  if (!fs::exists(file)) throw IoError(file.string() + " does not exist; is this a Hugging Face model folder?");
  const nlohmann::json root = util::parse_json_file(file.string(), util::JsonError::Config);
  const JsonFields top(root, file.string(), util::JsonError::Config);
  ModelConfig config;
  config.source = file.string();
  config.stored_dtype = top.string("dtype", top.string("torch_dtype", "float32"));
  const std::string type = top.string("model_type", "");
  if (type == "gemma3") {
    config.family = Family::Gemma3;
    read_gemma3(top, config);
  } else if (type == "llava") {
    config.family = Family::Llava;
    read_llava(top, config);
  } else {
    top.fail("model_type '" + type + "' is not supported (supported: gemma3, llava)");
  }
  check_parameter_count(config, top);

  const fs::path generation = file.parent_path() / "generation_config.json";
  if (fs::exists(generation)) {
    const nlohmann::json gen = util::parse_json_file(generation.string(), util::JsonError::Config);
    config.eos_ids = token_ids(JsonFields(gen, generation.string(), util::JsonError::Config), "eos_token_id",
                               config.eos_ids, config.text.vocab);
  }
  return config;
}

}  // namespace loupe::io
