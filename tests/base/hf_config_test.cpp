// Hugging Face config.json reading: both Gemma 3 styles agree, LLaVA, and clear errors.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/io/hf_config.h"
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
    CHECK(c->vision.kind == "siglip");
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
  CHECK(c.vision.kind == "clip");
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
