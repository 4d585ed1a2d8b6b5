// The gender direction of core/study on the demo model: its values against a mean difference
// computed here from captured activations, its labels and languages, and `loupe direction`
// writing it with its provenance for `loupe generate --steer`.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "core/error.h"
#include "core/io/safetensors.h"
#include "core/jobs/runner.h"
#include "core/model/inputs.h"
#include "core/study/gender_direction.h"
#include "core/tensor/convert.h"
#include "core/text/prompt.h"

using namespace loupe;

namespace {

const std::string kDemoImages = std::string(LOUPE_SOURCE_DIR) + "/assets/demo/images";

study::GenderDirection run_direction(const model::VlmImpl& vlm, const text::Tokenizer& tokenizer,
                                     const study::GenderDirectionRequest& request) {
  jobs::JobRunner runner(1);
  study::GenderDirection direction;
  const auto id = runner.submit("direction", [&](jobs::JobContext& job) {
    direction = study::gender_direction(vlm, tokenizer, request, job);
    return nlohmann::json{};
  });
  const auto done = runner.wait(id);
  if (done->state != jobs::JobState::Succeeded) throw Error(done->error_message);
  return direction;
}

// One image's blocks.0.hook_resid_post averaged over its image tokens, computed here. [d]
torch::Tensor image_mean(const model::VlmImpl& vlm, const text::Tokenizer& tokenizer, const std::string& image,
                         Language lang) {
  torch::NoGradGuard no_grad;
  const model::HookPoint point = model::parse_hook("blocks.0.hook_resid_post", vlm.config);
  const model::VlmInputs prompt =
      model::caption_prompt(vlm, tokenizer, text::caption_question(lang), model::image_pixels(vlm.config, image));
  model::Session session;
  session.hooks.capture(point);
  vlm.forward(prompt, session);
  const torch::Tensor x = session.hooks.captured(point)[0];  // [T, d]
  std::vector<int64_t> image_positions;
  for (int64_t p = 0; p < prompt.input_ids.size(1); ++p)
    if (prompt.input_ids[0][p].item<int64_t>() == vlm.config.image_token_id) image_positions.push_back(p);
  REQUIRE(int64_t(image_positions.size()) == vlm.config.image_tokens);
  return x.index_select(0, torch::tensor(image_positions)).mean(0);
}

}  // namespace

TEST_CASE("the gender direction is the mean difference of image-token activations", "[study][direction]") {
  auto vlm = model::load_vlm(test::kDemoModel);
  const auto tokenizer = model::model_tokenizer(test::kDemoModel);
  const std::vector<study::LabeledImage> images = study::dataset_gender_images(kDemoImages);
  REQUIRE(images.size() == 10);
  study::GenderDirectionRequest request;
  request.hook = "blocks.0.hook_resid_post";
  request.label = study::GenderLabel::Figure;
  request.images = {images[0], images[1], images[3]};  // kitchen, park (woman), garage (man)
  REQUIRE((images[0].woman && images[1].woman && !images[3].woman));

  for (const Language lang : kLanguages) {
    request.langs = {lang};
    const study::GenderDirection direction = run_direction(*vlm, *tokenizer, request);
    const torch::Tensor expected = (image_mean(*vlm, *tokenizer, images[0].path, lang) +
                                    image_mean(*vlm, *tokenizer, images[1].path, lang)) / 2 -
                                   image_mean(*vlm, *tokenizer, images[3].path, lang);  // [d]
    CHECK(direction.women == 2);
    CHECK(direction.men == 1);
    REQUIRE(direction.values.sizes() == expected.sizes());
    CHECK(torch::allclose(direction.values, expected, 1e-5, 1e-5 * expected.abs().max().item<double>()));
  }
  request.langs = {Language::English, Language::Arabic};  // pooled: each image counts once per language
  const study::GenderDirection pooled = run_direction(*vlm, *tokenizer, request);
  CHECK(pooled.women == 4);
  CHECK(pooled.men == 2);

  request.langs = {};
  CHECK_THROWS_AS(run_direction(*vlm, *tokenizer, request), Error);
  request.langs = {Language::English};
  request.images = {images[0], images[1]};  // no man image
  CHECK_THROWS_WITH(run_direction(*vlm, *tokenizer, request), Catch::Contains("at least one woman and one man"));
}

TEST_CASE("loupe direction writes a steering vector with its provenance that flips the caption", "[study][direction][cli]") {
  const std::string out = test::temp_path("gender-caption.safetensors");
  const auto made = test::run_loupe("direction --data '" + kDemoImages + "' --hook blocks.0.hook_resid_post --out '" + out + "'");
  INFO(made.err);
  REQUIRE(made.status == 0);
  const io::SafeTensors file = io::SafeTensors::open(out);
  REQUIRE(file.names() == std::vector<std::string>{"gender-caption"});
  CHECK(file.at("gender-caption").shape == std::vector<int64_t>{256});
  const auto metadata = file.metadata();
  CHECK(metadata.at("gender-caption") == "blocks.0.hook_resid_post");
  const auto provenance = nlohmann::json::parse(metadata.at("provenance"));
  CHECK(provenance["label"] == "caption");
  CHECK(provenance["langs"] == nlohmann::json::array({"en"}));
  CHECK(provenance["women"].get<int>() + provenance["men"].get<int>() + provenance["skipped"].get<int>() == 10);

  const std::string image = kDemoImages + "/kitchen.png";
  const auto steered = test::run_loupe("caption --image '" + image + "' --lang en --steer 'blocks.0.hook_resid_post=" + out +
                                       ":gender-caption@-2@image'");
  INFO(steered.err);
  REQUIRE(steered.status == 0);
  CHECK(steered.out.find("a man ") == 0);

  const auto no_gender = test::run_loupe("direction --data '" + std::string(LOUPE_FIXTURES) + "/preprocess' --hook blocks.0.hook_resid_post --out '" + out + "'");
  CHECK(no_gender.status != 0);
  const auto bad_hook = test::run_loupe("direction --data '" + kDemoImages + "' --hook blocks.9.hook_resid_post --out '" + out + "'");
  CHECK(bad_hook.status != 0);
  CHECK(bad_hook.err.find("blocks.9") != std::string::npos);
}
