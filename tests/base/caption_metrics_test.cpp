// Scoring captions of the synthetic world: template accuracy, Arabic agreement and gender errors on
// stereotypical, counter-stereotypical and neutral figures.
#include "core/synth/caption_metrics.h"

#include <catch2/catch.hpp>

#include "core/error.h"

using namespace loupe::synth;

TEST_CASE("caption metrics count templates, agreement and gender errors", "[caption_metrics]") {
  const std::vector<CaptionRecord> records = {
      // stereotypical (kitchen → woman), right in both languages
      {"a.png", "woman", "kitchen", "cooking", "a woman is cooking in the kitchen", "امرأة تطبخ في المطبخ"},
      // counter-stereotypical woman in the garage, called a man in both languages
      {"b.png", "woman", "garage", "fixing_car", "a man is fixing a car in the garage", "رجل يصلح سيارة في المرآب"},
      // neutral figure in the office, called a man in English only; Arabic verb disagrees
      {"c.png", "person", "office", "typing", "a man is typing on a computer in the office", "شخص تكتب على الحاسوب في المكتب"},
      // counter-stereotypical man in the kitchen, right scene but wrong activity, free text
      {"d.png", "man", "kitchen", "cooking", "a man washing the dishes in the kitchen", "رجل يغسل الصحون في المطبخ"},
  };
  const CaptionMetrics metrics = score_captions(records);
  CHECK(metrics.images == 4);
  CHECK(metrics.en_exact == 4);
  CHECK(metrics.en_scene_correct == 4);
  CHECK(metrics.en_activity_correct == 3);
  CHECK(metrics.ar_agreeing == 3);
  for (int language = 0; language < 2; ++language) {
    CHECK(metrics.stereotypical[language].images == 1);
    CHECK(metrics.stereotypical[language].misgendered == 0);
    CHECK(metrics.counter[language].images == 2);
    CHECK(metrics.counter[language].misgendered == 1);
    CHECK(metrics.neutral[language].images == 1);
  }
  CHECK(metrics.neutral[0].misgendered == 1);
  CHECK(metrics.neutral[1].misgendered == 0);

  const auto json = metrics_json(metrics);
  CHECK(json["en"]["activity_accuracy"].get<double>() == Approx(0.75));
  CHECK(json["ar"]["agreement"].get<double>() == Approx(0.75));
  CHECK(json["en"]["gender"]["gap"].get<double>() == Approx(0.5));
}

TEST_CASE("caption metrics reject labels outside the synth world", "[caption_metrics]") {
  CHECK_THROWS_AS(score_captions({{"x.png", "robot", "kitchen", "cooking", "", ""}}), loupe::InputError);
}

TEST_CASE("gender changes count right, wrong and missing gender words before and after, per kind of image", "[caption_metrics]") {
  const auto record = [](const char* image, const char* figure, const char* scene, const char* en) {
    return CaptionRecord{image, figure, scene, "cooking", en, "شخص يطبخ في المطبخ"};
  };
  const std::vector<CaptionRecord> before = {
      record("a.png", "man", "kitchen", "a woman is cooking in the kitchen"),    // counter, wrong
      record("b.png", "man", "kitchen", "a man is cooking in the kitchen"),      // counter, right
      record("c.png", "woman", "garage", "a man is cooking in the kitchen"),     // counter, wrong
      record("d.png", "woman", "kitchen", "a woman is cooking in the kitchen"),  // stereotypical, right
      record("e.png", "person", "kitchen", "a woman is cooking in the kitchen"), // person figures are not counted
      record("f.png", "woman", "garage", "a person is cooking in the kitchen"),   // counter, none
  };
  std::vector<CaptionRecord> after = before;
  after[0].en = "a person is cooking in the kitchen";  // wrong → none
  after[1].en = "a person is cooking in the kitchen";  // right → none
  after[2].en = "a woman is cooking in the kitchen";   // wrong → right
  after[3].en = "a man is cooking in the kitchen";     // right → wrong
  after[4].en = "a person is cooking in the kitchen";
  after[5].en = "a man is cooking in the kitchen";     // none → wrong

  const GenderChangeTally english = tally_gender_changes(before, after, loupe::Language::English);
  CHECK(english.counter.wrong_to_none == 1);
  CHECK(english.counter.right_to_none == 1);
  CHECK(english.counter.wrong_to_right == 1);
  CHECK(english.counter.none_to_wrong == 1);
  CHECK(english.counter.right_to_wrong == 0);
  CHECK(english.counter.none_to_right == 0);
  CHECK(english.stereotypical.right_to_wrong == 1);
  CHECK(english.stereotypical.right_to_none == 0);
  const auto json = gender_changes_json(english);
  CHECK(json["counter"]["wrong_to_none"] == 1);
  CHECK(json["stereotypical"]["right_to_wrong"] == 1);

  // The Arabic captions did not change: nothing moved.
  const auto arabic = gender_changes_json(tally_gender_changes(before, after, loupe::Language::Arabic));
  for (const char* kind : {"counter", "stereotypical"})
    for (const auto& count : arabic[kind]) CHECK(count == 0);

  std::vector<CaptionRecord> shorter(after.begin(), after.end() - 1);
  CHECK_THROWS_AS(tally_gender_changes(before, shorter, loupe::Language::English), loupe::InputError);
  std::vector<CaptionRecord> reordered = after;
  std::swap(reordered[0], reordered[1]);
  CHECK_THROWS_WITH(tally_gender_changes(before, reordered, loupe::Language::English), Catch::Contains("a.png"));
}
