// `loupe heatmap` on the demo model: the grid against norms of a `loupe forward` dump, the files it
// writes, attention rows, the overlay's colours, and clear errors for missing inputs.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "cli_run.h"
#include "core/io/image.h"
#include "core/io/safetensors.h"
#include "core/model/inputs.h"
#include "core/study/heatmap.h"
#include "core/tensor/convert.h"
#include "core/text/prompt.h"
#include "support/temp_dir.h"

using namespace loupe;

using loupe::test::kKitchen;
using loupe::test::line_count;

TEST_CASE("loupe heatmap gives the norms of the image tokens' activations and its files", "[study][heatmap][cli]") {
  const std::string prefix = test::temp_path("norm");
  const auto run = test::run_loupe("heatmap --image '" + kKitchen + "' --hook blocks.1.hook_resid_post --out '" + prefix + "'");
  INFO(run.err);
  REQUIRE(run.status == 0);
  const torch::Tensor patches = tensor::load(prefix + ".safetensors", "patches");  // [4, 4]
  REQUIRE(patches.sizes() == torch::IntArrayRef({4, 4}));

  // The same activations from one forward pass of the captioning prompt, normed here.
  const std::string dump = test::temp_path("acts.safetensors");
  REQUIRE(test::run_loupe("forward --image '" + kKitchen + "' --lang en --dump blocks.1.hook_resid_post --out '" + dump + "'").status == 0);
  const torch::Tensor acts = tensor::load(dump, "blocks.1.hook_resid_post");  // [T, d]
  auto vlm = model::load_vlm(test::kDemoModel);
  const auto tokenizer = model::model_tokenizer(test::kDemoModel);
  const model::VlmInputs prompt = model::caption_prompt(*vlm, *tokenizer, text::caption_question(Language::English),
                                                        model::image_pixels(vlm->config, kKitchen));
  const torch::Tensor image = prompt.token_type_ids[0].nonzero().squeeze(1);  // [16]
  const torch::Tensor expected = acts.index_select(0, image).norm(2, -1).view({4, 4});
  CHECK(torch::allclose(patches, expected, 1e-4, 1e-4 * expected.abs().max().item<double>()));

  CHECK(line_count(prefix + ".csv") == 17);  // header + 16 patches
  CHECK(std::filesystem::exists(prefix + "-tokens.csv"));
  const io::Image overlay = io::load_image(prefix + ".png");
  CHECK(overlay.width == 448);
  CHECK(overlay.height == 448);
}

TEST_CASE("loupe heatmap attention rows are shares of one softmax row", "[study][heatmap][cli]") {
  const std::string prefix = test::temp_path("attention");
  const auto run = test::run_loupe("heatmap --image '" + kKitchen + "' --hook blocks.3.hook_resid_post --quantity attention --token 1 --out '" + prefix + "'");
  INFO(run.err);
  REQUIRE(run.status == 0);
  const torch::Tensor patches = tensor::load(prefix + ".safetensors", "patches");
  CHECK(patches.min().item<float>() >= 0.0f);
  CHECK(patches.sum().item<float>() <= 1.0f + 1e-4f);
  CHECK(patches.sum().item<float>() > 0.0f);
}

TEST_CASE("loupe heatmap names what is missing or wrong", "[study][heatmap][cli]") {
  const std::string prefix = test::temp_path("bad");
  const std::string base = "heatmap --image '" + kKitchen + "' --out '" + prefix + "' ";
  const auto no_sae = test::run_loupe(base + "--hook blocks.1.hook_resid_post --quantity latent --latent 3");
  CHECK(no_sae.status != 0);
  CHECK_THAT(no_sae.err, Catch::Contains("--sae"));
  const auto bad_quantity = test::run_loupe(base + "--hook blocks.1.hook_resid_post --quantity heat");
  CHECK_THAT(bad_quantity.err, Catch::Contains("norm, latent, projection or attention"));
  const auto vision_attention = test::run_loupe(base + "--hook vision.blocks.1.hook_resid_post --quantity attention");
  CHECK_THAT(vision_attention.err, Catch::Contains("needs a decoder layer"));
  const auto past_caption = test::run_loupe(base + "--hook blocks.1.hook_resid_post --quantity attention --token 500");
  CHECK_THAT(past_caption.err, Catch::Contains("outside the caption"));
  CHECK_FALSE(std::filesystem::exists(prefix + ".safetensors"));  // nothing written for a failed run
}

TEST_CASE("the overlay colours low patches dark and high patches bright", "[study][heatmap]") {
  study::Heatmap map;
  map.grid_width = 2;
  map.grid_height = 1;
  map.patches = {0.0f, 1.0f};
  map.low = 0;
  map.high = 1;
  io::Image grey{40, 20, std::vector<uint8_t>(40 * 20 * 3, 128)};
  const io::Image out = study::heatmap_overlay(grey, map, 1.0f);
  const auto pixel = [&](int x, int y, int c) { return int(out.pixels[(size_t(y) * 40 + size_t(x)) * 3 + size_t(c)]); };
  CHECK(pixel(10, 10, 0) < 10);   // inferno(0) is near black
  CHECK(pixel(30, 10, 0) > 230);  // inferno(1) is pale yellow
  CHECK(pixel(30, 10, 1) > 230);
  CHECK(pixel(20, 10, 0) < pixel(30, 10, 0));  // the border between the patches is darkened
  CHECK_THROWS(study::heatmap_overlay(grey, study::Heatmap{}, 0.5f));
}
