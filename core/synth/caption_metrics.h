// Scores of a captioner on the synthetic world (core/synth), from each image's labels and its
// English and Arabic captions:
// - English: the share of captions that are exactly one of the templates, and of those naming the
//   image's scene / activity (synth::parse_caption);
// - Arabic: the share whose subject and verb agree in gender (check_arabic_agreement);
// - gender, per language: for woman and man figures, how often the caption states the other
//   gender (misgendered) or none (neutral or unknown), separately on stereotypical images (the
//   figure has its scene's stereotyped gender) and counter-stereotypical ones; for neutral figures
//   (person), how often the caption states a gender anyway.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/util/language.h"

namespace loupe::synth {

struct CaptionRecord {
  std::string image;
  std::string figure;    // the dataset's `gender` column: woman, man or person
  std::string scene;     // `scene`: kitchen, garage, ...
  std::string activity;  // `activity`: cooking, washing_dishes, ...
  std::string en, ar;    // the generated captions
};

struct GenderTally {
  int64_t images = 0;
  int64_t misgendered = 0;  // woman/man figures: the other gender stated; person figures: any gender stated
  int64_t unstated = 0;     // no gender (or a neutral word) stated
  double misgendered_rate() const { return images ? double(misgendered) / double(images) : 0.0; }
};

struct CaptionMetrics {
  int64_t images = 0;
  int64_t en_exact = 0, en_scene_correct = 0, en_activity_correct = 0;  // exact template and right scene / activity
  int64_t ar_agreeing = 0;
  GenderTally stereotypical[2], counter[2], neutral[2];  // [0] English, [1] Arabic
};

// Throws InputError for a record whose figure, scene or activity is not a synth label.
CaptionMetrics score_captions(const std::vector<CaptionRecord>& records);

// Whether the record's caption in `lang` is a gender error as the tallies count one: a woman or man
// figure captioned as the other gender, a person figure captioned with any gender. Throws
// InputError for a figure that is not a synth label.
bool misgendered(const CaptionRecord& record, Language lang);

// How an intervention moved the gender the captions of woman and man figures state, per kind of
// image: each count is of the images whose caption went from one reading to another (right: the
// figure's gender; wrong: the other one; none: no gender), so that a steer that neutralises wrong
// gender words can be told from one that also removes right ones. Person figures are not counted.
struct GenderChanges {
  int64_t right_to_none = 0, wrong_to_none = 0, wrong_to_right = 0, right_to_wrong = 0, none_to_right = 0,
          none_to_wrong = 0;
};
struct GenderChangeTally {
  GenderChanges stereotypical, counter;
};

// `before` and `after`: the same images in the same order, captioned without and with an
// intervention. Throws InputError for lists of different lengths or images, or a label that is
// not a synth label.
GenderChangeTally tally_gender_changes(const std::vector<CaptionRecord>& before, const std::vector<CaptionRecord>& after,
                                       Language lang);

// {"stereotypical": {right_to_none, wrong_to_none, wrong_to_right, right_to_wrong, none_to_right,
// none_to_wrong}, "counter": {...}}
nlohmann::json gender_changes_json(const GenderChangeTally& tally);

// Rates (shares in [0, 1]) and counts:
// {images, en: {exact_template, scene_accuracy, activity_accuracy, gender: {...}},
//  ar: {agreement, gender: {...}}} with gender = {stereotypical, counter, neutral} each
// {images, misgendered, unstated, error_rate}, plus gap = counter − stereotypical error rate.
nlohmann::json metrics_json(const CaptionMetrics& metrics);

}  // namespace loupe::synth
