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

namespace {

io::ModelConfig demo_config() { return io::read_model_config(test::kDemoModel); }

torch::Tensor token_types() { return torch::tensor({0, 1, 1, 1, 0, 0}, torch::kInt64).view({1, 6}); }  // [1, T=6]

std::string saved_vector(const torch::Tensor& values) {
  const std::string path = test::temp_path("steer.safetensors");
  tensor::save(path, {{"v", values}});
  return path;
}

}  // namespace

TEST_CASE("steering refuses pooled positions and `last`", "[study][steering]") {
  for (const std::string word : {"mean-image", "mean-text", "last"}) {
    INFO(word);
    CHECK_THROWS_AS(study::parse_steer_spec("h=f:v@1@" + word), InputError);
  }
  for (const std::string word : {"image", "text", "template", "non-image", "all", "6,14"})
    CHECK(positions_word(study::parse_steer_spec("h=f:v@1@" + word).positions) == word);
}

TEST_CASE("positions resolve against the prompt's token types", "[study][steering]") {
  const io::ModelConfig config = demo_config();
  const model::HookPoint resid = model::parse_hook("blocks.0.hook_resid_post", config);
  const auto at = [&](const std::string& word, const model::HookPoint& point, int64_t new_tokens) {
    return study::resolve_positions(parse_positions(word), point, token_types(), new_tokens);
  };
  // The prompt is template and image; the caption's text is what is generated after it.
  CHECK(at("image", resid, 3) == model::Positions{1, 2, 3});
  CHECK(at("text", resid, 3) == model::Positions{6, 7, 8});
  CHECK(at("generated", resid, 3) == model::Positions{6, 7, 8});
  CHECK(at("template", resid, 3) == model::Positions{0, 4, 5});
  CHECK(at("non-image", resid, 3) == model::Positions{0, 4, 5, 6, 7, 8});
  CHECK(at("all", resid, 3).empty());  // every position
  CHECK(at("2,7", resid, 3) == model::Positions{2, 7});
  CHECK_THROWS_AS(at("text", resid, 0), InputError);  // nothing selected must not mean everything
  const model::HookPoint vision = model::parse_hook("vision.blocks.1.hook_resid_post", config);
  CHECK(at("image", vision, 3).empty());  // the tower's positions are all image patches
}

TEST_CASE("steering specs (--steer) are checked before any work", "[study][steering]") {
  const io::ModelConfig config = demo_config();
  const std::string vector = saved_vector(torch::ones({256}));
  const study::Steer steer = study::parse_steer("blocks.0.hook_resid_post=" + vector + ":v@-2.5@image", config);
  CHECK(steer.alpha == -2.5);
  CHECK(steer.positions.kind == PositionKind::Image);
  CHECK(study::parse_steer("blocks.0.hook_resid_post=" + vector + ":v@1", config).positions.kind == PositionKind::All);

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
  CHECK_THAT(error_of("blocks.0.hook_resid_post=" + vector + ":v@1@somewhere"), Catch::Contains("positions are all, image"));
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

TEST_CASE("a steering spec names its mode after the positions, and prints back", "[study][steering]") {
  for (const std::string word : {"h=f.safetensors:v@-2.5", "h=f.safetensors:v@1@image", "h=f.safetensors:v@1@image@cap",
                                 "h=f.safetensors:v@0.25@orthogonal", "h=sae:dir#3@2@6,7@cap"})
    CHECK(study::steer_spec_word(study::parse_steer_spec(word)) == word);
  CHECK(study::parse_steer_spec("h=f:v@1@cap").mode == study::SteerMode::Cap);
  CHECK(study::parse_steer_spec("h=f:v@1@cap").positions.kind == PositionKind::All);
  CHECK(study::parse_steer_spec("h=f:v@1@non-image@orthogonal").positions.kind == PositionKind::NonImage);
  CHECK(study::parse_steer_spec("h=f:v@1@additive").mode == study::SteerMode::Additive);
  CHECK_THROWS_WITH(study::parse_steer_spec("h=f:v@1@text@sideways"), Catch::Contains("not a steering mode"));
  CHECK_THROWS_WITH(study::parse_steer_spec("h=f:v@1@text@cap@cap"), Catch::Contains("at most @POSITIONS and @MODE"));
  CHECK_THROWS_WITH(study::parse_steer_spec("h=f:v@1@cap@text"), Catch::Contains("not a steering mode"));
}

TEST_CASE("the three steering modes change the hook's vectors as defined", "[study][steering]") {
  const io::ModelConfig config = demo_config();
  torch::manual_seed(3);
  const torch::Tensor x = torch::randn({2, 6, 256}, torch::kFloat64).to(torch::kFloat32);  // [B, T, d]
  const torch::Tensor d = torch::randn({256}).mul(3);
  const torch::Tensor unit = d / d.norm();
  const auto steered = [&](study::SteerMode mode, double alpha, const model::Rows& rows) {
    study::Steer steer = study::make_steer("blocks.0.hook_resid_post", d, alpha, parse_positions("image"),
                                           config, "d");
    steer.mode = mode;
    model::HookSet hooks;
    study::add_steer(steer, token_types(), 0, torch::kCPU, torch::kFloat32, hooks, rows);
    return hooks.apply(steer.point, x, {steer.point, 0, true});
  };
  const auto close = [](const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).abs().max().item<double>() <= 1e-5 * b.abs().max().item<double>();
  };
  const torch::Tensor image = x.index({torch::indexing::Slice(), torch::indexing::Slice(1, 4)});  // [B, 3, d]
  const torch::Tensor projection = (image * unit).sum(-1, true);                                     // [B, 3, 1]

  const torch::Tensor added = steered(study::SteerMode::Additive, 2.0, {});
  CHECK(close(added.index({torch::indexing::Slice(), torch::indexing::Slice(1, 4)}), image + 2.0 * d));
  CHECK(torch::equal(added.index({torch::indexing::Slice(), 0}), x.index({torch::indexing::Slice(), 0})));

  const torch::Tensor orthogonal = steered(study::SteerMode::Orthogonal, 2.0, {});
  const torch::Tensor orthogonal_image = orthogonal.index({torch::indexing::Slice(), torch::indexing::Slice(1, 4)});
  CHECK(close(orthogonal_image, image - projection * unit + 2.0 * d));
  CHECK(close((orthogonal_image * unit).sum(-1), torch::full({2, 3}, 2.0 * d.norm().item<double>())));

  const double cap = projection.median().item<double>();  // some entries above, some below
  const torch::Tensor capped = steered(study::SteerMode::Cap, cap, {});
  const torch::Tensor capped_projection = (capped.index({torch::indexing::Slice(), torch::indexing::Slice(1, 4)}) * unit).sum(-1, true);
  CHECK(close(capped_projection, projection.clamp_max(cap)));
  CHECK(close(capped.index({torch::indexing::Slice(), torch::indexing::Slice(1, 4)}), image - (projection - cap).clamp_min(0) * unit));

  // Limited to batch row 1: row 0 stays as it was.
  const torch::Tensor one_row = steered(study::SteerMode::Cap, cap, {1});
  CHECK(torch::equal(one_row[0], x[0]));
  CHECK(torch::equal(one_row[1], capped[1]));

  study::Steer zero = study::make_steer("blocks.0.hook_resid_post", torch::zeros({256}), 1.0, {}, config, "zero");
  zero.mode = study::SteerMode::Cap;
  model::HookSet hooks;
  CHECK_THROWS_WITH(study::add_steer(zero, token_types(), 0, torch::kCPU, torch::kFloat32, hooks), Catch::Contains("not all zeros"));
}
