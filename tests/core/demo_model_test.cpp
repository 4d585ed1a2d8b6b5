// The bundled demo model on its ten fixed demo images: every caption is a template sentence naming
// the image's scene, in English and in Arabic, and Arabic subject and verb agree.
#include <catch2/catch.hpp>
#include <filesystem>

#include "core/eval/gender.h"
#include "core/model/caption.h"
#include "core/model/inputs.h"
#include "core/synth/captions.h"

using namespace loupe;

TEST_CASE("the committed demo model captions the ten demo images with their scene", "[demo][model]") {
  const std::string model_folder = std::string(LOUPE_SOURCE_DIR) + "/assets/models/demo";
  const std::filesystem::path images_folder = std::filesystem::path(LOUPE_SOURCE_DIR) / "assets/demo/images";
  auto vlm = model::load_vlm(model_folder);
  const auto tokenizer = model::model_tokenizer(model_folder);

  std::vector<std::string> scenes;
  std::vector<torch::Tensor> pixels;
  for (const auto& entry : std::filesystem::directory_iterator(images_folder)) {
    const std::string stem = entry.path().stem().string();  // "kitchen" or "kitchen-man"
    scenes.push_back(stem.substr(0, stem.find('-')));
    pixels.push_back(model::image_pixels(vlm->config, entry.path().string()));
  }
  REQUIRE(scenes.size() == 10);

  for (const std::string lang : {"en", "ar"}) {
    model::Session session;
    const auto captions = model::caption_images(*vlm, *tokenizer, torch::cat(pixels), {lang, 24}, session);
    const auto language = lang == "en" ? eval::Language::English : eval::Language::Arabic;
    for (size_t i = 0; i < captions.size(); ++i) {
      INFO(lang << ": " << captions[i].text);
      const auto parsed = synth::parse_caption(captions[i].text, language);
      CHECK(parsed.exact);
      REQUIRE(parsed.scene.has_value());
      CHECK(synth::scene_name(*parsed.scene) == scenes[i]);
      if (lang == "ar") CHECK(eval::check_arabic_agreement(captions[i].text).agrees);
    }
  }
}
