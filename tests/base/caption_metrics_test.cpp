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
