// Steering positions and `--steer` parsing (core/study/steering): one vocabulary for the CLI and
// the desktop app, every bad spec a clear error before any work.
#include <catch2/catch.hpp>

#include <limits>

#include "cli_run.h"
#include "core/error.h"
#include "core/io/hf_config.h"
#include "core/sae/sae.h"
#include "core/sae/sae_io.h"
#include "core/study/steering.h"
#include "core/tensor/convert.h"

using namespace loupe;
using study::SteerPositions;

namespace {

io::ModelConfig demo_config() { return io::read_model_config(test::kDemoModel); }

torch::Tensor token_types() { return torch::tensor({0, 1, 1, 1, 0, 0}, torch::kInt64).view({1, 6}); }  // [1, T=6]

std::string saved_vector(const torch::Tensor& values) {
  const std::string path = test::temp_path("steer.safetensors");
  tensor::save(path, {{"v", values}});
  return path;
}

}  // namespace

TEST_CASE("position words parse and print back", "[study][steering]") {
  for (const std::string word : {"image", "text", "generated", "all", "6,14,29", "0"})
    CHECK(study::position_choice_word(study::parse_position_choice(word)) == word);
  CHECK(study::parse_position_choice("6,14").list == std::vector<int64_t>{6, 14});
  for (const std::string bad : {"", "images", "1,,2", "-1", "3.5", "8abc", "1,"})
    CHECK_THROWS_AS(study::parse_position_choice(bad), InputError);
}

TEST_CASE("positions resolve against the prompt's token types", "[study][steering]") {
  const io::ModelConfig config = demo_config();
  const model::HookPoint resid = model::parse_hook("blocks.0.hook_resid_post", config);
  const auto at = [&](const std::string& word, const model::HookPoint& point, int64_t new_tokens) {
    return study::resolve_positions(study::parse_position_choice(word), point, token_types(), new_tokens);
  };
  CHECK(at("image", resid, 3) == model::Positions{1, 2, 3});
  CHECK(at("text", resid, 3) == model::Positions{0, 4, 5, 6, 7, 8});
  CHECK(at("generated", resid, 3) == model::Positions{6, 7, 8});
  CHECK(at("all", resid, 3).empty());  // every position
  CHECK(at("2,7", resid, 3) == model::Positions{2, 7});
  CHECK_THROWS_AS(at("generated", resid, 0), InputError);  // nothing selected must not mean everything
  const model::HookPoint vision = model::parse_hook("vision.blocks.1.hook_resid_post", config);
  CHECK(at("image", vision, 3).empty());  // the tower's positions are all image patches
}

TEST_CASE("steering specs (--steer) are checked before any work", "[study][steering]") {
  const io::ModelConfig config = demo_config();
  const std::string vector = saved_vector(torch::ones({256}));
  const study::Steer steer = study::parse_steer("blocks.0.hook_resid_post=" + vector + ":v@-2.5@image", config);
  CHECK(steer.alpha == -2.5);
  CHECK(steer.positions.kind == SteerPositions::Image);
  CHECK(study::parse_steer("blocks.0.hook_resid_post=" + vector + ":v@1", config).positions.kind == SteerPositions::All);

  const auto error_of = [&](const std::string& spec) {
    try {
      study::parse_steer(spec, config);
    } catch (const InputError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(error_of("blocks.0.hook_resid_post=" + vector + ":v@8abc"), Catch::Contains("not a finite number"));
  CHECK_THAT(error_of("blocks.0.hook_resid_post=" + vector + ":v@nan"), Catch::Contains("not a finite number"));
  CHECK_THAT(error_of("blocks.0.hook_resid_post=" + vector + ":v@inf"), Catch::Contains("not a finite number"));
  CHECK_THAT(error_of("blocks.0.hook_resid_post=" + vector + ":v"), Catch::Contains("expects HOOK="));
  CHECK_THAT(error_of("blocks.0.hook_resid_post=" + vector + ":v@1@somewhere"), Catch::Contains("positions are image"));
  CHECK_THAT(error_of("blocks.0.attn.hook_pattern=" + vector + ":v@1"), Catch::Contains("steer at a residual"));
  CHECK_THAT(error_of("logits=" + vector + ":v@1"), Catch::Contains("steer at a residual"));
  CHECK_THAT(error_of("vision.blocks.0.hook_resid_post=" + vector + ":v@1"), Catch::Contains("has 256 values but"));
  CHECK_THAT(error_of("blocks.0.hook_resid_post=" + saved_vector(torch::full({256}, std::numeric_limits<float>::quiet_NaN())) + ":v@1"),
             Catch::Contains("NaN or infinite"));
}

TEST_CASE("a steering spec may take an SAE latent's decoder row as its vector", "[study][steering]") {
  const io::ModelConfig config = demo_config();
  sae::SaeConfig sae_config;
  sae_config.d_in = 256;
  sae_config.d_sae = 8;
  sae_config.k = 2;
  sae_config.hook_name = "blocks.0.hook_resid_post";
  const sae::Sae sae = sae::Sae::initialized(sae_config, 7);
  const std::string folder = test::temp_path("sae");
  sae::save_sae(folder, sae);
  const study::Steer steer = study::parse_steer("blocks.0.hook_resid_post=sae:" + folder + "#3@1.5@image", config);
  CHECK(torch::equal(steer.vector, sae.W_dec[3].to(torch::kFloat32)));
  CHECK(steer.alpha == 1.5);
  CHECK_THROWS_WITH(study::parse_steer("blocks.0.hook_resid_post=sae:" + folder + "#8@1", config), Catch::Contains("outside 0..7"));
  CHECK_THROWS_WITH(study::parse_steer("blocks.0.hook_resid_post=sae:" + folder + "@1", config), Catch::Contains("sae:FOLDER#LATENT"));
  CHECK_THROWS_WITH(study::parse_steer("blocks.0.hook_resid_post=sae:" + folder + "#x@1", config), Catch::Contains("sae:FOLDER#LATENT"));
}
