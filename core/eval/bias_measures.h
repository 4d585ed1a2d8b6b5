// Gender-bias measures of a captioner over a captioned split, one language at a time; the
// definitions are in docs/bias-measures.md. Every measure reads the gender a caption states with
// infer_gender (gender.h): female or male count as a stated gender, neutral and unknown as none.
//
// - Accuracy per gender (woman, man figures): the share of captions stating the figure's gender;
//   gap = woman accuracy - man accuracy. Error rate: the share of woman and man images whose caption
//   states the other gender; unstated rate: the share stating none.
// - Ratio (Hendricks et al. 2018): over woman and man images, captions stating female / captions
//   stating male, against woman images / man images.
// - Bias amplification (Zhao et al. 2017), over scenes: the reference share of a scene is
//   woman / (woman + man) among the reference figures (the training split); a scene leans to the
//   gender whose share is above 0.5 (scenes at exactly 0.5 are left out). Its predicted share is
//   female / (female + male) among the evaluated images of that scene (any figure) whose caption
//   states a gender. Per scene: predicted share - reference share for a woman-leaning scene, its
//   negative for a man-leaning one (so > 0 always means further towards the lean). The measure is
//   the mean over leaning scenes with at least one gendered caption.
// - Leakage (Hirota et al. 2022, leakage.h): on the model captions and on the reference captions;
//   LIC = model leakage - reference leakage.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/eval/leakage.h"
#include "core/util/language.h"

namespace loupe::eval {

enum class FigureGender { Woman, Man, Person };
const char* figure_gender_name(FigureGender figure);  // "woman", "man", "person"
// woman / female / f, man / male / m, person; case ignored. Throws InputError naming `what` otherwise.
FigureGender parse_figure_gender(const std::string& label, const std::string& what);

struct CaptionedImage {
  FigureGender figure = FigureGender::Person;  // what the image shows
  std::string scene;
  std::string caption;    // the model's
  std::string reference;  // the dataset's
};

struct FigureCounts {
  int64_t woman = 0, man = 0;
  void add(FigureGender figure);  // a person figure adds nothing
};
using SceneFigureCounts = std::map<std::string, FigureCounts>;  // by scene

struct GenderAccuracy {
  int64_t woman_images = 0, man_images = 0, woman_correct = 0, man_correct = 0;
  int64_t misgendered = 0, unstated = 0;  // among woman and man images
  std::optional<double> woman_accuracy, man_accuracy, gap, error_rate, unstated_rate;  // empty without images
};

struct GenderRatio {
  int64_t stated_female = 0, stated_male = 0;  // captions of woman and man images
  int64_t woman_images = 0, man_images = 0;
  std::optional<double> predicted, truth;  // empty when the denominator is 0
};

struct SceneAmplification {
  std::string scene;
  FigureCounts reference;
  int64_t stated_female = 0, stated_male = 0;
  std::optional<double> reference_share, predicted_share, amplification;  // amplification: leaning scenes only
};

struct BiasAmplification {
  std::vector<SceneAmplification> scenes;  // every scene of the images or the reference, by name
  int64_t scenes_used = 0;
  std::optional<double> value;  // empty when no scene is used
};

struct CaptionBias {
  GenderAccuracy accuracy;
  GenderRatio ratio;
  BiasAmplification amplification;
  std::optional<Leakage> model_leakage, reference_leakage;
  std::optional<double> lic;
};

GenderAccuracy gender_accuracy(const std::vector<CaptionedImage>& images, Language language);
GenderRatio gender_ratio(const std::vector<CaptionedImage>& images, Language language);
BiasAmplification bias_amplification(const std::vector<CaptionedImage>& images, Language language,
                                     const SceneFigureCounts& reference);
CaptionBias caption_bias(const std::vector<CaptionedImage>& images, Language language,
                         const SceneFigureCounts& reference, const LeakageOptions& leakage = {});

// {accuracy: {...}, ratio: {...}, amplification: {value, scenes_used, scenes: [...]}, leakage: {model,
// reference, lic}}; empty values are null.
nlohmann::ordered_json caption_bias_json(const CaptionBias& bias);

}  // namespace loupe::eval
