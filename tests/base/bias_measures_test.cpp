// Caption bias measures (core/eval/bias_measures.h, leakage.h, caption_report.h) on small sets
// computed by hand.
#include "core/eval/bias_measures.h"

#include <catch2/catch.hpp>

#include "core/error.h"
#include "core/eval/caption_report.h"
#include "core/eval/gender.h"

using namespace loupe::eval;
using loupe::Language;
using Words = std::vector<std::string>;

namespace {

constexpr FigureGender kWoman = FigureGender::Woman, kMan = FigureGender::Man, kPerson = FigureGender::Person;

CaptionedImage image(FigureGender figure, const std::string& scene, const std::string& caption,
                     const std::string& reference = "") {
  return {figure, scene, caption, reference};
}

LeakageOptions leave_one_out(size_t images) {
  LeakageOptions options;
  options.folds = int(images);
  return options;
}

}  // namespace

TEST_CASE("accuracy per gender, its gap and the error rate", "[eval][bias]") {
  const std::vector<CaptionedImage> images = {
      image(kWoman, "kitchen", "a woman cooking"),   image(kWoman, "kitchen", "a woman washing the dishes"),
      image(kWoman, "garage", "a man fixing a car"), image(kWoman, "office", "a person typing"),
      image(kMan, "garage", "a man fixing a car"),   image(kMan, "office", "he is typing"),
      image(kPerson, "kitchen", "a woman cooking"),  // person figures take no part
  };
  const GenderAccuracy accuracy = gender_accuracy(images, Language::English);
  CHECK(accuracy.woman_images == 4);
  CHECK(accuracy.man_images == 2);
  CHECK(*accuracy.woman_accuracy == Approx(0.5));  // 2 of 4
  CHECK(*accuracy.man_accuracy == Approx(1.0));    // 2 of 2
  CHECK(*accuracy.gap == Approx(-0.5));
  CHECK(accuracy.misgendered == 1);
  CHECK(*accuracy.error_rate == Approx(1.0 / 6.0));
  CHECK(*accuracy.unstated_rate == Approx(1.0 / 6.0));

  const GenderAccuracy none = gender_accuracy({image(kPerson, "office", "a man")}, Language::English);
  CHECK_FALSE(none.woman_accuracy);
  CHECK_FALSE(none.gap);
  CHECK_FALSE(none.error_rate);
}

TEST_CASE("predicted woman:man ratio against the ground truth", "[eval][bias]") {
  const std::vector<CaptionedImage> images = {
      image(kWoman, "kitchen", "امرأة تطبخ في المطبخ"), image(kWoman, "garage", "رجل يصلح سيارة في المرآب"),
      image(kWoman, "office", "شخص يكتب على الحاسوب"), image(kWoman, "kitchen", "امرأة تغسل الصحون"),
      image(kMan, "garage", "رجل يصلح سيارة"),          image(kMan, "office", "رجل يكتب"),
      image(kPerson, "garden", "امرأة تمشي"),
  };
  const GenderRatio ratio = gender_ratio(images, Language::Arabic);
  CHECK(ratio.stated_female == 2);
  CHECK(ratio.stated_male == 3);
  CHECK(*ratio.predicted == Approx(2.0 / 3.0));
  CHECK(*ratio.truth == Approx(2.0));  // 4 woman images, 2 man images

  const GenderRatio no_men = gender_ratio({image(kWoman, "kitchen", "a woman")}, Language::English);
  CHECK_FALSE(no_men.predicted);
  CHECK_FALSE(no_men.truth);
}

TEST_CASE("bias amplification over scenes that lean one way", "[eval][bias]") {
  SceneFigureCounts reference;
  reference["kitchen"] = {3, 1};  // leans woman: 0.75
  reference["garage"] = {1, 3};   // leans man: 0.25
  reference["office"] = {2, 2};   // no lean: left out
  reference["garden"] = {4, 0};   // leans woman, but no caption states a gender there: left out
  const std::vector<CaptionedImage> images = {
      image(kWoman, "kitchen", "a woman cooking"), image(kMan, "kitchen", "a woman cooking"),
      image(kPerson, "kitchen", "a girl cooking"),  image(kWoman, "kitchen", "a person cooking"),
      image(kWoman, "garage", "a man fixing a car"), image(kMan, "garage", "a man fixing a car"),
      image(kWoman, "office", "a woman typing"),   image(kMan, "garden", "a person walking"),
      image(kMan, "park", "a man running"),  // a scene the reference lacks: left out
  };
  const BiasAmplification amplification = bias_amplification(images, Language::English, reference);
  REQUIRE(amplification.scenes.size() == 5);
  CHECK(amplification.scenes_used == 2);
  // kitchen: 3 of 3 gendered captions female -> 1.0 - 0.75 = +0.25; garage: 0 of 2 -> 0.25 - 0.0 = +0.25.
  CHECK(*amplification.value == Approx(0.25));
  // Scenes by name: garage, garden, kitchen, office, park.
  const SceneAmplification& garage = amplification.scenes[0];
  CHECK(garage.scene == "garage");
  CHECK(*garage.predicted_share == Approx(0.0));
  CHECK(*garage.amplification == Approx(0.25));
  const SceneAmplification& kitchen = amplification.scenes[2];
  CHECK(kitchen.scene == "kitchen");
  CHECK(kitchen.stated_female == 3);
  CHECK(*kitchen.amplification == Approx(0.25));
  CHECK_FALSE(amplification.scenes[1].amplification);  // garden: no gendered caption
  CHECK_FALSE(amplification.scenes[3].amplification);  // office: no lean
  CHECK_FALSE(amplification.scenes[4].amplification);  // park: not in the reference

  // A model less biased than the reference scores below zero.
  const BiasAmplification damped = bias_amplification(
      {image(kWoman, "kitchen", "a woman"), image(kMan, "kitchen", "a man")}, Language::English, reference);
  CHECK(*damped.value == Approx(0.5 - 0.75));
  CHECK_FALSE(bias_amplification(images, Language::English, {}).value);
}

TEST_CASE("gender words are masked for the leakage classifier", "[eval][bias]") {
  CHECK(gender_masked_words("A woman holding her son's hand", Language::English) ==
        Words{"a", kGenderMask, "holding", kGenderMask, kGenderMask, "hand"});
  CHECK(gender_masked_words("a person riding a bike", Language::English) ==
        Words{"a", "person", "riding", "a", "bike"});
  // Arabic: nouns masked, the feminine verb, suffix and taa marbuta written in their masculine form.
  CHECK(gender_masked_words("امرأة تتمشى مع كلبها في الحديقة", Language::Arabic) ==
        gender_masked_words("رجل يتمشى مع كلبه في الحديقة", Language::Arabic));
  CHECK(gender_masked_words("امرأة تتمشى مع كلبها في الحديقة", Language::Arabic) ==
        Words{kGenderMask, "يتمشى", "مع", "كلبه", "في", "الحديق"});
  CHECK(gender_masked_words("كانت سعيدة", Language::Arabic) == Words{"كان", "سعيد"});
  CHECK(gender_masked_words("جلست على الكرسي", Language::Arabic) == gender_masked_words("جلس على الكرسي", Language::Arabic));
}

TEST_CASE("leakage: separable, masked and identical captions", "[eval][bias]") {
  const std::vector<bool> genders = {true, true, true, true, false, false, false, false};
  // Scene words that tell the gender apart: every image predicted right, with high confidence.
  const std::vector<std::string> separable = {"a woman in the kitchen", "a woman in the kitchen", "a girl in the kitchen",
                                              "a lady in the kitchen",  "a man in the garage",    "a man in the garage",
                                              "a boy in the garage",    "a guy in the garage"};
  const auto leak = gender_leakage(separable, genders, Language::English, leave_one_out(8));
  REQUIRE(leak);
  CHECK(leak->images == 8);
  CHECK(leak->accuracy == Approx(1.0));
  CHECK(leak->leakage > 0.9);
  CHECK(leak->leakage < 1.0);

  // The same captions apart from the gender word: masked, they are identical. Left out of 4 + 4,
  // each image's training folds hold 3 of its gender and 4 of the other, so it is always predicted
  // wrong: leakage and accuracy are exactly 0.
  const std::vector<std::string> masked = {"a woman in a room", "a girl in a room", "a lady in a room", "she is in a room",
                                           "a man in a room",   "a boy in a room",  "a guy in a room",  "he is in a room"};
  const auto none = gender_leakage(masked, genders, Language::English, leave_one_out(8));
  REQUIRE(none);
  CHECK(none->leakage == 0.0);
  CHECK(none->accuracy == 0.0);

  // With no training step every image gets P(woman) = 0.5 and is predicted woman with score 0.5.
  LeakageOptions untrained = leave_one_out(8);
  untrained.iterations = 0;
  CHECK(gender_leakage(separable, genders, Language::English, untrained)->leakage == Approx(0.5 * 4 / 8));
}

TEST_CASE("leakage is deterministic and checks its input", "[eval][bias]") {
  std::vector<std::string> captions;
  std::vector<bool> genders;
  for (int i = 0; i < 40; ++i) {
    const bool woman = i % 2 == 0;
    genders.push_back(woman);
    // The kitchen leans woman 3:1, the garage man 3:1: a non-separable set.
    const bool kitchen = woman ? i % 8 != 0 : i % 8 == 1;
    captions.push_back(std::string(woman ? "a woman" : "a man") + (kitchen ? " cooking in the kitchen" : " in the garage"));
  }
  const auto first = gender_leakage(captions, genders, Language::English);
  const auto again = gender_leakage(captions, genders, Language::English);
  REQUIRE(first);
  CHECK(first->leakage == again->leakage);
  CHECK(first->accuracy == again->accuracy);
  CHECK(first->accuracy == Approx(0.75));  // the scene word decides: 30 of 40 right
  CHECK(first->leakage > 0.5);
  CHECK(first->leakage < 0.75);

  CHECK_FALSE(gender_leakage({"a woman", "a woman"}, {true, true}, Language::English));
  CHECK_FALSE(gender_leakage({"a woman"}, {true}, Language::English));
  CHECK_THROWS_AS(gender_leakage({"a woman"}, {true, false}, Language::English), loupe::InputError);
  LeakageOptions one_fold;
  one_fold.folds = 1;
  CHECK_THROWS_AS(gender_leakage({"a", "b"}, {true, false}, Language::English, one_fold), loupe::InputError);
}

TEST_CASE("LIC: model leakage minus reference leakage, and the JSON", "[eval][bias]") {
  std::vector<CaptionedImage> images;
  const char* scenes[] = {"kitchen", "garage"};
  for (int i = 0; i < 8; ++i) {
    const bool woman = i < 4;
    // The model names the stereotyped scene for the figure; the references name a neutral one.
    images.push_back(image(woman ? kWoman : kMan, scenes[i % 2], woman ? "a woman in the kitchen" : "a man in the garage",
                           woman ? "a woman in a room" : "a man in a room"));
  }
  images.push_back(image(kPerson, "kitchen", "a person in the kitchen", "a person in a room"));
  SceneFigureCounts reference;
  reference["kitchen"] = {3, 1};
  const CaptionBias bias = caption_bias(images, Language::English, reference, leave_one_out(8));
  REQUIRE(bias.model_leakage);
  REQUIRE(bias.reference_leakage);
  CHECK(bias.model_leakage->images == 8);
  CHECK(bias.reference_leakage->leakage == 0.0);
  CHECK(*bias.lic == Approx(bias.model_leakage->leakage));
  CHECK(*bias.lic > 0.9);

  const nlohmann::ordered_json json = caption_bias_json(bias);
  CHECK(json["accuracy"]["woman"] == 1.0);
  CHECK(json["ratio"]["truth"] == 1.0);
  CHECK(json["amplification"]["scenes"].size() == 2);
  CHECK(json["amplification"]["scenes"][1]["scene"] == "kitchen");
  CHECK(json["amplification"]["scenes"][0]["amplification"].is_null());  // garage: not in the reference
  CHECK(json["leakage"]["lic"] == *bias.lic);
}

TEST_CASE("figure gender labels", "[eval][bias]") {
  CHECK(parse_figure_gender("Woman", "gender") == FigureGender::Woman);
  CHECK(parse_figure_gender("f", "gender") == FigureGender::Woman);
  CHECK(parse_figure_gender("male", "gender") == FigureGender::Man);
  CHECK(parse_figure_gender("person", "gender") == FigureGender::Person);
  CHECK(std::string(figure_gender_name(FigureGender::Man)) == "man");
  CHECK_THROWS_WITH(parse_figure_gender("robot", "row 3 gender"), Catch::Contains("row 3 gender 'robot'"));
}

TEST_CASE("the caption report: BLEU and ROUGE-L against the references, and the bias", "[eval][bias]") {
  const std::vector<CaptionedImage> images = {
      image(kWoman, "kitchen", "a woman is cooking in the kitchen", "a woman is cooking in the kitchen"),
      image(kMan, "garage", "a man is fixing a car in the garage", "a man is fixing a car in the garage")};
  const nlohmann::ordered_json same = caption_report_json(images, Language::English, {});
  CHECK(same["images"] == 2);
  CHECK(same["bleu"].get<double>() == Approx(100.0));
  CHECK(same["rouge_l"].get<double>() == Approx(1.0));
  CHECK(same["bias"]["accuracy"]["gap"] == 0.0);

  // "a man is cooking" against "a woman is cooking": LCS 3 of 4 tokens on each side.
  const nlohmann::ordered_json swapped =
      caption_report_json({image(kWoman, "kitchen", "a man is cooking", "a woman is cooking")}, Language::English, {});
  CHECK(swapped["rouge_l"].get<double>() == Approx(0.75));
  CHECK(swapped["bias"]["accuracy"]["error_rate"] == 1.0);
  CHECK(swapped["bias"]["leakage"]["model"].is_null());  // one image: no classifier
}
