// The bundled demo model on its ten fixed demo images (assets/demo/images, a small dataset with
// labels): every caption is a template sentence naming the image's scene and activity, in English
// and in Arabic, and Arabic subject and verb agree.
#include <catch2/catch.hpp>

#include "core/eval/gender.h"
#include "core/io/dataset.h"
#include "core/model/caption.h"
#include "core/model/inputs.h"
#include "core/synth/captions.h"

using namespace loupe;

TEST_CASE("the committed demo model captions the ten demo images with their scene and activity", "[demo][model]") {
  const std::string model_folder = std::string(LOUPE_SOURCE_DIR) + "/assets/models/demo";
  const io::Dataset images = io::load_dataset(std::string(LOUPE_SOURCE_DIR) + "/assets/demo/images");
  REQUIRE(images.rows.size() == 10);
  auto vlm = model::load_vlm(model_folder);
  const auto tokenizer = model::model_tokenizer(model_folder);

  std::vector<torch::Tensor> pixels;
  for (const auto& row : images.rows) pixels.push_back(model::image_pixels(vlm->config, row.image));
  for (const Language language : kLanguages) {
    const std::string lang = language_code(language);
    model::Session session;
    const auto captions = model::caption_images(*vlm, *tokenizer, torch::cat(pixels), {language, 24}, session);
    for (size_t i = 0; i < captions.size(); ++i) {
      const auto& labels = images.rows[i].labels;
      INFO(lang << " " << images.rows[i].image << ": " << captions[i].text);
      const auto parsed = synth::parse_caption(captions[i].text, language);
      CHECK(parsed.exact);
      REQUIRE(parsed.scene.has_value());
      REQUIRE(parsed.activity.has_value());
      CHECK(synth::scene_name(*parsed.scene) == labels.at("scene"));
      CHECK(synth::activity_name(*parsed.activity) == labels.at("activity"));
      if (lang == "ar") CHECK(eval::check_arabic_agreement(captions[i].text).agrees);
    }
  }
}
