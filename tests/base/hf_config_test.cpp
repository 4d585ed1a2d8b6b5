// Hugging Face config.json reading: both Gemma 3 styles agree, LLaVA, and clear errors for every
// bad field (a table of fixture configs with one field mutated each).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/io/hf_config.h"
#include "core/io/hf_config_checks.h"
#include "core/util/atomic_file.h"
#include "support/temp_dir.h"

using loupe::io::read_model_config;
namespace fs = std::filesystem;

namespace {

const std::string kFixtures = LOUPE_FIXTURES;

nlohmann::json fixture_json(const std::string& file) {
  return nlohmann::json::parse(loupe::util::read_file(kFixtures + "/" + file));
}

std::string write_config(const std::string& name, const nlohmann::json& config) {
  static const loupe::test::TempDir scratch("loupe-config");  // removed at exit
  return scratch.write(name + ".json", config.dump());
}

std::string config_error(const nlohmann::json& config, const std::string& name) {
  try {
    read_model_config(write_config(name, config));
  } catch (const loupe::Error& error) {
    return error.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("both Gemma 3 config styles describe the same model", "[config]") {
  const auto newer = read_model_config(kFixtures + "/gemma3-tiny");
  const auto hub = read_model_config(kFixtures + "/gemma3-tiny/config.v4-style.json");
  for (const auto* c : {&newer, &hub}) {
    CHECK(c->family == loupe::io::Family::Gemma3);
    CHECK(c->text.is_sliding == std::vector<bool>{true, true, true, false});
    CHECK(c->text.rope_global.theta == 1e6);
    CHECK(c->text.rope_global.linear_factor == 8.0);
    CHECK(c->text.rope_local.theta == 1e4);
    CHECK(c->text.rope_local.linear_factor == 1.0);
    CHECK(c->text.attention_scale == Approx(0.25));
    CHECK(c->text.sliding_window == 6);
    CHECK(c->image_tokens == 16);
    CHECK(c->image_token_id == 299);
    CHECK(c->vision.kind == loupe::io::VisionKind::Siglip);
    CHECK(c->vision.eps == 1e-6);
    CHECK(c->text.tie_embeddings);
  }
  CHECK(hub.text.eps == newer.text.eps);
  CHECK(hub.text.activation == newer.text.activation);
}

TEST_CASE("hub-style Gemma 3 defaults are filled in as transformers does", "[config]") {
  nlohmann::json config = {{"model_type", "gemma3"},
                           {"text_config", {{"hidden_size", 2560}, {"intermediate_size", 10240}, {"num_hidden_layers", 34},
                                            {"sliding_window", 1024}, {"rope_scaling", {{"rope_type", "linear"}, {"factor", 8.0}}}}},
                           {"vision_config", {{"hidden_size", 1152}, {"image_size", 896}, {"intermediate_size", 4304},
                                              {"num_attention_heads", 16}, {"num_hidden_layers", 27}, {"patch_size", 14}}}};
  const auto c = read_model_config(write_config("gemma3-4b", config));
  CHECK(c.text.vocab == 262208);
  CHECK(c.text.heads == 8);
  CHECK(c.text.kv_heads == 4);
  CHECK(c.text.head_dim == 256);
  CHECK(c.text.attention_scale == Approx(1.0 / 16));
  CHECK(c.text.rope_local.theta == 1e4);
  CHECK(c.image_tokens == 256);
  CHECK(c.image_token_id == 262144);
  std::vector<size_t> full;
  for (size_t i = 0; i < c.text.is_sliding.size(); ++i)
    if (!c.text.is_sliding[i]) full.push_back(i);
  CHECK(full == std::vector<size_t>{5, 11, 17, 23, 29});
}

TEST_CASE("LLaVA configs read the CLIP tower and the projector", "[config]") {
  const auto c = read_model_config(kFixtures + "/llava-tiny");
  CHECK(c.family == loupe::io::Family::Llava);
  CHECK(c.vision.kind == loupe::io::VisionKind::Clip);
  CHECK(c.vision.activation == loupe::io::Activation::QuickGelu);
  CHECK(c.vision_feature_layer == -2);
  CHECK(c.drop_class_token);
  CHECK(c.image_tokens == 16);
  CHECK(c.text.kv_heads == 2);
  CHECK_FALSE(c.text.tie_embeddings);
  CHECK(c.eos_ids == std::vector<int64_t>{2});
}

TEST_CASE("bad configs are refused with the field and the file", "[config][errors]") {
  CHECK_THROWS_WITH(read_model_config("/nonexistent/model"), Catch::Contains("does not exist"));
  {
    const loupe::test::TempDir dir("loupe-config-bad");
    CHECK_THROWS_WITH(read_model_config(dir.write("config.json", "{\"model_type\": ")), Catch::Contains("malformed JSON"));
  }
  auto gemma = fixture_json("gemma3-tiny/config.json");
  auto unknown = gemma;
  unknown["model_type"] = "mistral";
  CHECK_THAT(config_error(unknown, "unknown"), Catch::Contains("model_type 'mistral' is not supported (supported: gemma3, llava)"));
  auto wrong_type = gemma;
  wrong_type["text_config"]["hidden_size"] = "wide";
  CHECK_THAT(config_error(wrong_type, "type"), Catch::Contains("`hidden_size` must be an integer"));
  auto layer_types = gemma;
  layer_types["text_config"]["layer_types"] = {"sliding_attention"};
  CHECK_THAT(config_error(layer_types, "layers"), Catch::Contains("one type per layer"));
  auto rope = gemma;
  rope["text_config"]["rope_parameters"]["full_attention"]["rope_type"] = "yarn";
  CHECK_THAT(config_error(rope, "rope"), Catch::Contains("unsupported rope type 'yarn'"));
  auto heads = gemma;
  heads["text_config"]["num_key_value_heads"] = 3;
  CHECK_THAT(config_error(heads, "heads"), Catch::Contains("multiple of num_key_value_heads"));
  auto tokens = gemma;
  tokens["mm_tokens_per_image"] = 15;
  CHECK_THAT(config_error(tokens, "tokens"), Catch::Contains("mm_tokens_per_image 15 must be a square"));
  auto activation = fixture_json("llava-tiny/config.json");
  activation["projector_hidden_act"] = "relu6";
  CHECK_THAT(config_error(activation, "act"), Catch::Contains("unsupported activation 'relu6'"));
}

namespace {

// One field of a fixture config set to a bad value, and what the error must name.
struct Mutation {
  const char* fixture;  // under tests/fixtures
  const char* pointer;  // JSON pointer of the field
  nlohmann::json value;
  std::vector<std::string> named;  // substrings of the ConfigError message
};

const char* const kGemma = "gemma3-tiny/config.json";
const char* const kGemmaHub = "gemma3-tiny/config.v4-style.json";
const char* const kLlava = "llava-tiny/config.json";

std::vector<Mutation> mutations() {
  return {
      // Sizes that once divided by zero (SIGFPE) or looped: every one is a ConfigError naming the field.
      {kGemma, "/vision_config/num_attention_heads", 0, {"`vision_config`", "`num_attention_heads`", "not 0"}},
      {kGemma, "/vision_config/patch_size", 0, {"`vision_config`", "`patch_size`", "not 0"}},
      {kGemmaHub, "/vision_config/num_attention_heads", 0, {"`vision_config`", "`num_attention_heads`"}},
      {kGemmaHub, "/vision_config/patch_size", 0, {"`vision_config`", "`patch_size`"}},
      {kLlava, "/vision_config/num_attention_heads", 0, {"`vision_config`", "`num_attention_heads`"}},
      {kLlava, "/vision_config/patch_size", 0, {"`vision_config`", "`patch_size`"}},
      {kGemmaHub, "/text_config/sliding_window_pattern", 0, {"`text_config`", "`sliding_window_pattern`"}},
      {kGemmaHub, "/text_config/sliding_window_pattern", -2, {"`sliding_window_pattern`"}},
      {kGemma, "/text_config/num_attention_heads", 0, {"`text_config`", "`num_attention_heads`"}},
      {kLlava, "/text_config/num_attention_heads", 0, {"`text_config`", "`num_attention_heads`"}},
      {kGemma, "/text_config/num_key_value_heads", 0, {"`num_key_value_heads`"}},
      // Negative, not divisible, absurdly large.
      {kGemma, "/vision_config/patch_size", -8, {"`patch_size`"}},
      {kGemma, "/vision_config/patch_size", 7, {"`image_size` 64 is not a multiple of `patch_size` 7"}},
      {kGemma, "/vision_config/patch_size", 128, {"`patch_size` must be from 1 to 64 (the image_size), not 128"}},
      {kGemma, "/vision_config/hidden_size", 33, {"`hidden_size` 33 is not a multiple of `num_attention_heads` 2"}},
      {kLlava, "/vision_config/hidden_size", -32, {"`vision_config`", "`hidden_size`"}},
      {kGemma, "/vision_config/hidden_size", 10000000, {"`hidden_size` must be from 1 to 65536"}},
      {kGemma, "/vision_config/intermediate_size", 0, {"`vision_config`", "`intermediate_size`"}},
      {kLlava, "/vision_config/intermediate_size", -64, {"`intermediate_size`"}},
      {kGemma, "/vision_config/num_hidden_layers", 0, {"`vision_config`", "`num_hidden_layers`"}},
      {kLlava, "/vision_config/num_hidden_layers", -1, {"`vision_config`", "`num_hidden_layers`", "not -1"}},
      {kGemma, "/vision_config/num_hidden_layers", 1000000000, {"`num_hidden_layers` must be from 1 to 1024"}},
      {kGemma, "/vision_config/image_size", 0, {"`image_size`"}},
      {kLlava, "/vision_config/image_size", 1000000, {"`image_size` must be from 1 to 4096"}},
      {kGemma, "/vision_config/image_size", 4096, {"patches per image; at most 65536"}},  // 8 px patches: 512 x 512
      {kGemma, "/vision_config/num_channels", 1, {"`num_channels` must be 3"}},
      {kGemma, "/vision_config/layer_norm_eps", -1e-6, {"`layer_norm_eps` must be a number above 0"}},
      {kGemma, "/text_config/num_hidden_layers", 1000000000, {"`text_config`", "`num_hidden_layers` must be from 1 to 1024"}},
      {kGemmaHub, "/text_config/num_hidden_layers", 1000000000, {"`num_hidden_layers` must be from 1 to 1024"}},
      {kLlava, "/text_config/num_hidden_layers", 1000000000, {"`num_hidden_layers` must be from 1 to 1024"}},
      {kGemma, "/text_config/num_hidden_layers", -1, {"`num_hidden_layers`"}},
      {kGemma, "/text_config/hidden_size", 0, {"`text_config`", "`hidden_size`"}},
      {kGemma, "/text_config/hidden_size", 1000000000, {"`hidden_size` must be from 1 to 65536"}},
      {kLlava, "/text_config/hidden_size", -64, {"`hidden_size`"}},
      {kGemma, "/text_config/intermediate_size", 0, {"`intermediate_size`"}},
      {kLlava, "/text_config/intermediate_size", 1000000000, {"`intermediate_size` must be from 1 to 262144"}},
      {kGemma, "/text_config/num_attention_heads", 4096, {"`num_attention_heads` must be from 1 to 1024"}},
      {kLlava, "/text_config/num_key_value_heads", 3, {"multiple of num_key_value_heads"}},
      {kGemma, "/text_config/num_key_value_heads", 8, {"`num_key_value_heads` must be from 1 to 4"}},
      {kGemma, "/text_config/head_dim", 0, {"`head_dim`"}},
      {kLlava, "/text_config/head_dim", 15, {"`head_dim` 15 must be even"}},
      {kGemma, "/text_config/head_dim", 100000, {"`head_dim` must be from 2 to 1024"}},
      {kGemma, "/text_config/vocab_size", 0, {"`vocab_size`"}},
      {kGemma, "/text_config/vocab_size", 1000000000, {"`vocab_size` must be from 1 to 4194304"}},
      {kLlava, "/text_config/vocab_size", -1, {"`vocab_size`"}},
      {kGemma, "/text_config/max_position_embeddings", 0, {"`max_position_embeddings`"}},
      {kLlava, "/text_config/max_position_embeddings", -1, {"`max_position_embeddings`"}},
      {kGemma, "/text_config/sliding_window", 0, {"`sliding_window`", "not 0"}},
      {kGemmaHub, "/text_config/sliding_window", -6, {"`sliding_window`"}},
      // Values that gave NaN logits with exit 0.
      {kGemma, "/text_config/rms_norm_eps", -1e-6, {"`rms_norm_eps` must be a number above 0"}},
      {kLlava, "/text_config/rms_norm_eps", 0, {"`rms_norm_eps`"}},
      {kGemma, "/text_config/query_pre_attn_scalar", 0, {"`query_pre_attn_scalar`"}},
      {kGemmaHub, "/text_config/query_pre_attn_scalar", -16, {"`query_pre_attn_scalar`"}},
      {kGemma, "/text_config/rope_parameters/full_attention/rope_theta", -1e6, {"`full_attention`", "`rope_theta`"}},
      {kGemma, "/text_config/rope_parameters/sliding_attention/rope_theta", 0, {"`sliding_attention`", "`rope_theta`"}},
      {kGemma, "/text_config/rope_parameters/full_attention/factor", 0, {"`factor`"}},
      {kGemmaHub, "/text_config/rope_theta", -1, {"`rope_theta`"}},
      {kGemmaHub, "/text_config/rope_theta", 0, {"`rope_theta`"}},
      {kGemmaHub, "/text_config/rope_local_base_freq", -10000, {"`rope_local_base_freq`"}},
      {kGemmaHub, "/text_config/rope_scaling/factor", -8, {"`rope_scaling`", "`factor`"}},
      {kLlava, "/text_config/rope_parameters/rope_theta", 0, {"`rope_theta`"}},
      // Token ids: of the wrong type, or outside the vocabulary.
      {kGemma, "/eos_token_id", "<eos>", {"`eos_token_id` must be a token id or a list of them, not \"<eos>\""}},
      {kGemmaHub, "/eos_token_id", {"<eos>"}, {"`eos_token_id[0]` must be an integer"}},
      {kGemmaHub, "/eos_token_id", {1, 300}, {"`eos_token_id[1]` must be from 0 to 299"}},
      {kGemma, "/text_config/eos_token_id", "1", {"`text_config`", "`eos_token_id`"}},
      {kLlava, "/text_config/eos_token_id", "</s>", {"`eos_token_id`"}},
      {kGemma, "/image_token_index", 300, {"`image_token_index` must be from 0 to 299", "vocab_size 300"}},
      {kLlava, "/image_token_index", 32000, {"`image_token_index`", "vocab_size 300"}},
      {kGemma, "/image_token_index", -1, {"`image_token_index`"}},
      {kGemma, "/boi_token_index", 1000, {"`boi_token_index`"}},
      {kGemma, "/text_config/pad_token_id", 5000, {"`pad_token_id`"}},
      {kGemma, "/text_config/bos_token_id", -7, {"`bos_token_id`"}},
      // The rest.
      {kGemma, "/mm_tokens_per_image", 0, {"`mm_tokens_per_image`"}},
      {kGemma, "/mm_tokens_per_image", -16, {"`mm_tokens_per_image`"}},
      {kGemma, "/mm_tokens_per_image", 1000000, {"`mm_tokens_per_image` must be from 1 to 64"}},
      {kLlava, "/vision_feature_layer", 5, {"`vision_feature_layer` must be from -4 to 3"}},
      {kGemma, "/text_config/layer_types", {"sliding_attention", "sliding", "sliding_attention", "full_attention"},
       {"`layer_types[1]` is an unknown layer type \"sliding\""}},
      {kGemma, "/text_config/layer_types",
       nlohmann::json::parse(R"(["sliding_attention", [[[["x"]]]], "sliding_attention", "full_attention"])"),
       {"`layer_types[1]` must be a string, not [[[[...]]]]"}},
      {kGemma, "/text_config/rms_norm_eps", "small", {"`rms_norm_eps` must be a number, not \"small\""}},
  };
}

}  // namespace

TEST_CASE("every size, scale and token id of both families is checked, naming the field", "[config][errors]") {
  for (const Mutation& m : mutations()) {
    nlohmann::json config = fixture_json(m.fixture);
    config[nlohmann::json::json_pointer(m.pointer)] = m.value;
    INFO(m.fixture << " " << m.pointer << " = " << m.value.dump());
    const std::string message = loupe::test::message_of<loupe::ConfigError>(
        [&] { read_model_config(write_config("mutated", config)); });
    INFO(message);
    for (const std::string& part : m.named) CHECK_THAT(message, Catch::Contains(part));
  }
}

TEST_CASE("a head count of zero in the LLaVA default head_dim is refused before dividing", "[config][errors]") {
  auto config = fixture_json(kLlava);
  config["text_config"].erase("head_dim");
  config["text_config"]["num_attention_heads"] = 0;
  CHECK_THAT(config_error(config, "no-head-dim"), Catch::Contains("`num_attention_heads` must be from 1 to 1024, not 0"));
  config["text_config"]["num_attention_heads"] = 128;  // 64 / 128 = 0: the default head_dim is named as such
  config["text_config"]["num_key_value_heads"] = 128;
  CHECK_THAT(config_error(config, "no-head-dim"), Catch::Contains("`head_dim` must be from 2 to 1024, not 0 (the default)"));
}

TEST_CASE("sizes each in bounds but describing an absurd model are refused", "[config][errors]") {
  auto config = fixture_json(kGemmaHub);
  config["text_config"]["num_hidden_layers"] = 1024;
  config["text_config"]["sliding_window_pattern"] = 6;
  config["text_config"]["hidden_size"] = 65536;
  config["text_config"]["intermediate_size"] = 262144;
  CHECK_THAT(config_error(config, "absurd"), Catch::Contains("billion parameters, more than the 275 billion"));
}

TEST_CASE("JSON nested a million deep in layer_types is a clear error", "[config][errors]") {
  auto config = fixture_json(kGemma);
  config["text_config"]["layer_types"] = "DEEP";
  std::string text = config.dump();
  const std::string deep = std::string(1000000, '[') + std::string(1000000, ']');
  text.replace(text.find("\"DEEP\""), 6, deep);
  const loupe::test::TempDir dir("loupe-config-deep");
  CHECK_THAT(loupe::test::message_of<loupe::ConfigError>([&] { read_model_config(dir.write("config.json", text)); }),
             Catch::Contains("config.json: JSON nested deeper than 64 levels"));
}

TEST_CASE("numbers JSON cannot hold (NaN, an overflowing exponent) are refused, naming the value", "[config][errors]") {
  const loupe::test::TempDir dir("loupe-config-nan");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"NaN", "invalid literal"}, {"Infinity", "invalid literal"}, {"1e999", "1e999"}, {"-1e999", "-1e999"}};
  for (const auto& [number, named] : cases) {
    auto config = fixture_json(kGemma);
    config["text_config"]["rms_norm_eps"] = "NUMBER";
    std::string text = config.dump();
    text.replace(text.find("\"NUMBER\""), 8, number);
    INFO(number);
    const std::string message =
        loupe::test::message_of<loupe::ConfigError>([&] { read_model_config(dir.write("config.json", text)); });
    CHECK_THAT(message, Catch::Contains("config.json: malformed JSON"));
    CHECK_THAT(message, Catch::Contains(named));
  }
}

TEST_CASE("generation_config.json eos ids are checked like the config's", "[config][errors]") {
  const loupe::test::TempDir dir("loupe-config-gen");
  dir.write("config.json", fixture_json(kGemma).dump());
  dir.write("generation_config.json", R"({"eos_token_id": "<eos>"})");
  CHECK_THAT(loupe::test::message_of<loupe::ConfigError>([&] { read_model_config(dir.path.string()); }),
             Catch::Contains("generation_config.json: `eos_token_id` must be a token id or a list of them"));
  dir.write("generation_config.json", R"({"eos_token_id": [1, 300]})");
  CHECK_THAT(loupe::test::message_of<loupe::ConfigError>([&] { read_model_config(dir.path.string()); }),
             Catch::Contains("`eos_token_id[1]` must be from 0 to 299"));
  dir.write("generation_config.json", R"({"eos_token_id": [1, 7]})");
  CHECK(read_model_config(dir.path.string()).eos_ids == std::vector<int64_t>{1, 7});
  dir.write("generation_config.json", R"({"eos_token_id": )");
  CHECK_THAT(loupe::test::message_of<loupe::ConfigError>([&] { read_model_config(dir.path.string()); }),
             Catch::Contains("generation_config.json: malformed JSON"));
}

TEST_CASE("the bounds admit the largest supported checkpoints", "[config]") {
  // Gemma-3-27B and LLaVA-1.5-13B as the hub publishes them (sizes only).
  const nlohmann::json gemma27 = {
      {"model_type", "gemma3"},
      {"eos_token_id", {1, 106}},
      {"text_config", {{"hidden_size", 5376}, {"intermediate_size", 21504}, {"num_hidden_layers", 62},
                       {"num_attention_heads", 32}, {"num_key_value_heads", 16}, {"head_dim", 128},
                       {"query_pre_attn_scalar", 168}, {"sliding_window", 1024},
                       {"rope_scaling", {{"factor", 8.0}, {"rope_type", "linear"}}}}},
      {"vision_config", {{"hidden_size", 1152}, {"image_size", 896}, {"intermediate_size", 4304},
                         {"num_attention_heads", 16}, {"num_hidden_layers", 27}, {"patch_size", 14}}}};
  const auto g = read_model_config(write_config("gemma-3-27b", gemma27));
  CHECK(g.text.layers == 62);
  CHECK(g.image_tokens == 256);
  CHECK(loupe::io::estimated_parameters(g) == Approx(27.4e9).epsilon(0.02));

  const nlohmann::json llava13 = {
      {"model_type", "llava"},
      {"image_token_index", 32000},
      {"text_config", {{"model_type", "llama"}, {"hidden_size", 5120}, {"intermediate_size", 13824},
                       {"num_hidden_layers", 40}, {"num_attention_heads", 40}, {"num_key_value_heads", 40},
                       {"vocab_size", 32064}, {"max_position_embeddings", 4096}, {"rms_norm_eps", 1e-5},
                       {"pad_token_id", 32001}}},
      {"vision_config", {{"hidden_size", 1024}, {"image_size", 336}, {"intermediate_size", 4096},
                         {"num_attention_heads", 16}, {"num_hidden_layers", 24}, {"patch_size", 14},
                         {"projection_dim", 768}}}};
  const auto l = read_model_config(write_config("llava-1.5-13b", llava13));
  CHECK(l.text.head_dim == 128);
  CHECK(l.image_tokens == 576);
  CHECK(loupe::io::estimated_parameters(l) == Approx(13.35e9).epsilon(0.02));
}
