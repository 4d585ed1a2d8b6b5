#include "core/io/hf_config.h"

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/util/atomic_file.h"

namespace loupe::io {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Reads fields of one JSON object, naming the file and section in every error.
class Fields {
 public:
  Fields(const json& object, std::string where) : object_(object), where_(std::move(where)) {}

  bool has(const char* key) const { return object_.contains(key) && !object_.at(key).is_null(); }
  const json& at(const char* key) const { return object_.at(key); }

  int64_t integer(const char* key, int64_t fallback) const {
    if (!has(key)) return fallback;
    if (!object_.at(key).is_number_integer()) throw ConfigError(where_ + ": `" + key + "` must be an integer");
    return object_.at(key).get<int64_t>();
  }
  double number(const char* key, double fallback) const {
    if (!has(key)) return fallback;
    if (!object_.at(key).is_number()) throw ConfigError(where_ + ": `" + key + "` must be a number");
    return object_.at(key).get<double>();
  }
  std::string text(const char* key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    if (!object_.at(key).is_string()) throw ConfigError(where_ + ": `" + key + "` must be a string");
    return object_.at(key).get<std::string>();
  }
  bool flag(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    if (!object_.at(key).is_boolean()) throw ConfigError(where_ + ": `" + key + "` must be true or false");
    return object_.at(key).get<bool>();
  }
  // First present key among aliases (e.g. image_token_index / image_token_id).
  int64_t integer_alias(std::initializer_list<const char*> keys, int64_t fallback) const {
    for (const char* key : keys)
      if (has(key)) return integer(key, fallback);
    return fallback;
  }
  Fields section(const char* key) const {
    if (has(key) && !object_.at(key).is_object()) throw ConfigError(where_ + ": `" + key + "` must be an object");
    return Fields(has(key) ? object_.at(key) : empty(), where_ + " `" + key + "`");
  }
  const std::string& where() const { return where_; }

 private:
  static const json& empty() {
    static const json kEmpty = json::object();
    return kEmpty;
  }
  const json& object_;
  std::string where_;
};

Activation parse_activation(const std::string& name, const std::string& where) {
  if (name == "gelu_pytorch_tanh" || name == "gelu_new" || name == "gelu_fast") return Activation::GeluTanh;
  if (name == "gelu") return Activation::GeluErf;
  if (name == "quick_gelu") return Activation::QuickGelu;
  if (name == "silu" || name == "swish") return Activation::Silu;
  throw ConfigError(where + ": unsupported activation '" + name + "' (supported: gelu_pytorch_tanh, gelu, quick_gelu, silu)");
}

RopeConfig parse_rope(const Fields& params, double default_theta, const std::string& where) {
  RopeConfig rope;
  rope.theta = params.number("rope_theta", default_theta);
  const std::string type = params.text("rope_type", params.text("type", "default"));
  if (type == "linear") {
    rope.linear_factor = params.number("factor", 1.0);
  } else if (type != "default") {
    throw ConfigError(where + ": unsupported rope type '" + type + "' (supported: default, linear)");
  }
  return rope;
}

std::vector<int64_t> id_list(const json& value) {
  if (value.is_number_integer()) return {value.get<int64_t>()};
  if (value.is_array()) return value.get<std::vector<int64_t>>();
  return {};
}

VisionConfig read_vision(const Fields& f, const std::string& kind) {
  VisionConfig v;
  v.kind = kind;
  const bool clip = kind == "clip";
  v.hidden = f.integer("hidden_size", 768);
  v.intermediate = f.integer("intermediate_size", 3072);
  v.layers = f.integer("num_hidden_layers", 12);
  v.heads = f.integer("num_attention_heads", 12);
  v.image_size = f.integer("image_size", 224);
  v.patch_size = f.integer("patch_size", clip ? 32 : 16);
  v.channels = f.integer("num_channels", 3);
  v.eps = f.number("layer_norm_eps", clip ? 1e-5 : 1e-6);
  v.activation = parse_activation(f.text("hidden_act", clip ? "quick_gelu" : "gelu_pytorch_tanh"), f.where());
  if (v.hidden % v.heads != 0) throw ConfigError(f.where() + ": hidden_size is not a multiple of num_attention_heads");
  if (v.image_size % v.patch_size != 0) throw ConfigError(f.where() + ": image_size is not a multiple of patch_size");
  return v;
}

void read_gemma3(const Fields& top, ModelConfig& config) {
  const Fields t = top.section("text_config");
  TextConfig& text = config.text;
  text.kind = "gemma3_text";
  text.vocab = t.integer("vocab_size", 262208);
  text.hidden = t.integer("hidden_size", 2304);
  text.intermediate = t.integer("intermediate_size", 9216);
  text.layers = t.integer("num_hidden_layers", 26);
  text.heads = t.integer("num_attention_heads", 8);
  text.kv_heads = t.integer("num_key_value_heads", 4);
  text.head_dim = t.integer("head_dim", 256);
  text.max_positions = t.integer("max_position_embeddings", 131072);
  text.eps = t.number("rms_norm_eps", 1e-6);
  text.activation = parse_activation(t.text("hidden_activation", t.text("hidden_act", "gelu_pytorch_tanh")), t.where());
  text.attention_scale = 1.0 / std::sqrt(t.number("query_pre_attn_scalar", 256));
  text.sliding_window = t.integer("sliding_window", 4096);
  text.tie_embeddings = top.flag("tie_word_embeddings", t.flag("tie_word_embeddings", true));
  text.scale_embeddings = true;
  text.bos_id = t.integer("bos_token_id", 2);
  text.pad_id = t.integer("pad_token_id", 0);
  if (t.has("final_logit_softcapping") || t.has("attn_logit_softcapping"))
    throw ConfigError(t.where() + ": logit softcapping (Gemma 2 style) is not supported for Gemma 3");

  if (t.has("layer_types")) {
    const json& types = t.at("layer_types");
    if (!types.is_array() || int64_t(types.size()) != text.layers)
      throw ConfigError(t.where() + ": `layer_types` must list one type per layer");
    for (const auto& type : types) {
      const std::string name = type.is_string() ? type.get<std::string>() : "";
      if (name != "sliding_attention" && name != "full_attention")
        throw ConfigError(t.where() + ": unknown layer type '" + type.dump() + "'");
      text.is_sliding.push_back(name == "sliding_attention");
    }
  } else {
    const int64_t pattern = t.integer("sliding_window_pattern", t.integer("_sliding_window_pattern", 6));
    for (int64_t i = 0; i < text.layers; ++i) text.is_sliding.push_back((i + 1) % pattern != 0);
  }

  if (t.has("rope_parameters")) {  // newer style: one entry per layer type
    const Fields rope = t.section("rope_parameters");
    text.rope_global = parse_rope(rope.section("full_attention"), 1e6, rope.where());
    text.rope_local = parse_rope(rope.section("sliding_attention"), 1e4, rope.where());
  } else {  // hub style
    text.rope_global = parse_rope(t.section("rope_scaling"), t.number("rope_theta", 1e6), t.where());
    text.rope_global.theta = t.number("rope_theta", 1e6);
    text.rope_local = RopeConfig{t.number("rope_local_base_freq", 1e4), 1.0};
  }

  config.vision = read_vision(top.section("vision_config"), "siglip");
  if (top.section("vision_config").flag("vision_use_head", false))
    throw ConfigError(top.where() + ": vision_use_head is not supported (Gemma 3 uses no pooling head)");
  config.image_tokens = top.integer("mm_tokens_per_image", 256);
  config.image_token_id = top.integer_alias({"image_token_index", "image_token_id"}, 262144);
  config.boi_token_id = top.integer_alias({"boi_token_index", "boi_token_id"}, 255999);
  config.eoi_token_id = top.integer_alias({"eoi_token_index", "eoi_token_id"}, 256000);
  config.eos_ids = top.has("eos_token_id") ? id_list(top.at("eos_token_id"))
                                           : std::vector<int64_t>{t.integer("eos_token_id", 1)};
  const int64_t side = config.vision.patches_per_side();
  const int64_t tokens_side = int64_t(std::llround(std::sqrt(double(config.image_tokens))));
  if (tokens_side * tokens_side != config.image_tokens || tokens_side == 0 || side % tokens_side != 0)
    throw ConfigError(top.where() + ": mm_tokens_per_image " + std::to_string(config.image_tokens) +
                      " must be a square that divides the " + std::to_string(side) + "x" + std::to_string(side) +
                      " patch grid");
}

void read_llava(const Fields& top, ModelConfig& config) {
  const Fields t = top.section("text_config");
  TextConfig& text = config.text;
  const std::string text_type = t.text("model_type", "llama");
  if (text_type != "llama")
    throw ConfigError(t.where() + ": text model_type '" + text_type + "' is not supported (supported: llama)");
  text.kind = "llama";
  text.vocab = t.integer("vocab_size", 32000);
  text.hidden = t.integer("hidden_size", 4096);
  text.intermediate = t.integer("intermediate_size", 11008);
  text.layers = t.integer("num_hidden_layers", 32);
  text.heads = t.integer("num_attention_heads", 32);
  text.kv_heads = t.integer("num_key_value_heads", text.heads);
  text.head_dim = t.integer("head_dim", text.hidden / text.heads);
  text.max_positions = t.integer("max_position_embeddings", 2048);
  text.eps = t.number("rms_norm_eps", 1e-6);
  text.activation = parse_activation(t.text("hidden_act", "silu"), t.where());
  text.attention_scale = 1.0 / std::sqrt(double(text.head_dim));
  text.is_sliding.assign(size_t(text.layers), false);
  if (t.has("rope_parameters")) {
    text.rope_global = parse_rope(t.section("rope_parameters"), 1e4, t.where());
  } else {
    text.rope_global = parse_rope(t.section("rope_scaling"), t.number("rope_theta", 1e4), t.where());
    text.rope_global.theta = t.number("rope_theta", 1e4);
  }
  text.rope_local = text.rope_global;
  text.tie_embeddings = t.flag("tie_word_embeddings", top.flag("tie_word_embeddings", false));
  text.bos_id = t.integer("bos_token_id", 1);
  text.pad_id = t.integer("pad_token_id", -1);
  if (t.flag("attention_bias", false) || t.flag("mlp_bias", false))
    throw ConfigError(t.where() + ": attention_bias / mlp_bias are not supported");

  const Fields v = top.section("vision_config");
  const std::string vision_type = v.text("model_type", "clip_vision_model");
  if (vision_type != "clip_vision_model")
    throw ConfigError(v.where() + ": vision model_type '" + vision_type + "' is not supported (supported: clip_vision_model)");
  config.vision = read_vision(v, "clip");
  if (!top.has("vision_config")) {  // LlavaConfig's own default tower (llava-1.5)
    config.vision.hidden = 1024, config.vision.intermediate = 4096, config.vision.layers = 24;
    config.vision.heads = 16, config.vision.image_size = 336, config.vision.patch_size = 14;
  }
  config.image_token_id = top.integer_alias({"image_token_index", "image_token_id"}, 32000);
  const int64_t patches = config.vision.patches_per_side() * config.vision.patches_per_side();
  config.image_tokens = patches;  // "default" strategy drops the class token: one token per patch
  config.vision_feature_layer = top.integer("vision_feature_layer", -2);
  const std::string strategy = top.text("vision_feature_select_strategy", "default");
  if (strategy != "default" && strategy != "full")
    throw ConfigError(top.where() + ": unknown vision_feature_select_strategy '" + strategy + "'");
  config.drop_class_token = strategy == "default";
  if (!config.drop_class_token) config.image_tokens = patches + 1;
  if (config.vision_feature_layer < -(config.vision.layers + 1) || config.vision_feature_layer > config.vision.layers)
    throw ConfigError(top.where() + ": vision_feature_layer " + std::to_string(config.vision_feature_layer) +
                      " is outside the tower's " + std::to_string(config.vision.layers) + " layers");
  config.projector_activation = parse_activation(top.text("projector_hidden_act", "gelu"), top.where());
  config.projector_bias = top.flag("multimodal_projector_bias", true);
  config.eos_ids = {t.integer("eos_token_id", top.integer("eos_token_id", 2))};
}

void check_text(const TextConfig& text, const std::string& where) {
  if (text.hidden <= 0 || text.layers <= 0 || text.heads <= 0 || text.kv_heads <= 0 || text.head_dim <= 0 || text.vocab <= 0)
    throw ConfigError(where + ": text_config sizes must be positive");
  if (text.heads % text.kv_heads != 0)
    throw ConfigError(where + ": num_attention_heads must be a multiple of num_key_value_heads");
  if (text.head_dim % 2 != 0) throw ConfigError(where + ": head_dim must be even for rotary embeddings");
}

}  // namespace

const char* family_name(Family family) { return family == Family::Gemma3 ? "gemma3" : "llava"; }

ModelConfig read_model_config(const std::string& path) {
  const fs::path file = fs::is_directory(path) ? fs::path(path) / "config.json" : fs::path(path);
  if (!fs::exists(file)) throw IoError(file.string() + " does not exist; is this a Hugging Face model folder?");
  json root;
  try {
    root = json::parse(util::read_file(file.string()));
  } catch (const json::exception& error) {
    throw ConfigError(file.string() + ": malformed JSON: " + error.what());
  }
  if (!root.is_object()) throw ConfigError(file.string() + ": not a JSON object");
  const Fields top(root, file.string());
  ModelConfig config;
  config.source = file.string();
  config.stored_dtype = top.text("dtype", top.text("torch_dtype", "float32"));
  const std::string type = top.text("model_type", "");
  if (type == "gemma3") {
    config.family = Family::Gemma3;
    read_gemma3(top, config);
  } else if (type == "llava") {
    config.family = Family::Llava;
    read_llava(top, config);
  } else {
    throw ConfigError(file.string() + ": model_type '" + type + "' is not supported (supported: gemma3, llava)");
  }
  check_text(config.text, file.string());

  const fs::path generation = file.parent_path() / "generation_config.json";
  if (fs::exists(generation)) {
    try {
      json gen = json::parse(util::read_file(generation.string()));
      if (gen.contains("eos_token_id") && !id_list(gen["eos_token_id"]).empty()) config.eos_ids = id_list(gen["eos_token_id"]);
    } catch (const json::exception& error) {
      throw ConfigError(generation.string() + ": malformed JSON: " + error.what());
    }
  }
  return config;
}

}  // namespace loupe::io
