#include "core/eval/bias_measures.h"

#include "core/error.h"
#include "core/eval/gender.h"
#include "core/util/optional_cell.h"

namespace loupe::eval {

namespace {

std::optional<double> ratio_of(int64_t part, int64_t whole) {
  return whole ? std::optional<double>(double(part) / double(whole)) : std::nullopt;
}

std::optional<double> difference(std::optional<double> a, std::optional<double> b) {
  return a && b ? std::optional<double>(*a - *b) : std::nullopt;
}

Gender stated_gender(const std::string& caption, Language language) { return infer_gender(caption, language).gender; }

nlohmann::ordered_json value(std::optional<double> number) {
  return number ? nlohmann::ordered_json(*number) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json leakage_json(const std::optional<Leakage>& leakage) {
  if (!leakage) return nullptr;
  return {{"images", leakage->images}, {"leakage", leakage->leakage}, {"accuracy", leakage->accuracy}};
}

nlohmann::ordered_json scenes_json(const std::vector<SceneAmplification>& scenes) {
  util::Table table({{"scene", util::ColumnType::Text},
                     {"reference_woman", util::ColumnType::Integer},
                     {"reference_man", util::ColumnType::Integer},
                     {"reference_share", util::ColumnType::Real},
                     {"stated_female", util::ColumnType::Integer},
                     {"stated_male", util::ColumnType::Integer},
                     {"predicted_share", util::ColumnType::Real},
                     {"amplification", util::ColumnType::Real}});
  for (const SceneAmplification& scene : scenes)
    table.add_row({scene.scene, scene.reference.woman, scene.reference.man, util::optional_cell(scene.reference_share),
                   scene.stated_female, scene.stated_male, util::optional_cell(scene.predicted_share), util::optional_cell(scene.amplification)});
  return table.json();
}

}  // namespace

const char* figure_gender_name(FigureGender figure) {
  switch (figure) {
    case FigureGender::Woman: return "woman";
    case FigureGender::Man: return "man";
    case FigureGender::Person: return "person";
  }
  return "person";
}

FigureGender parse_figure_gender(const std::string& label, const std::string& what) {
  std::string lower = label;
  for (char& c : lower)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  if (lower == "woman" || lower == "female" || lower == "f") return FigureGender::Woman;
  if (lower == "man" || lower == "male" || lower == "m") return FigureGender::Man;
  if (lower == "person") return FigureGender::Person;
  throw InputError(what + " '" + label + "' is not a figure gender; use woman (female, f), man (male, m) or person");
}

void FigureCounts::add(FigureGender figure) {
  woman += figure == FigureGender::Woman;
  man += figure == FigureGender::Man;
}

GenderAccuracy gender_accuracy(const std::vector<CaptionedImage>& images, Language language) {
  GenderAccuracy result;
  for (const CaptionedImage& image : images) {
    if (image.figure == FigureGender::Person) continue;
    const bool woman = image.figure == FigureGender::Woman;
    const Gender stated = stated_gender(image.caption, language);
    const Gender own = woman ? Gender::Female : Gender::Male, other = woman ? Gender::Male : Gender::Female;
    (woman ? result.woman_images : result.man_images) += 1;
    (woman ? result.woman_correct : result.man_correct) += stated == own;
    result.misgendered += stated == other;
    result.unstated += stated != own && stated != other;
  }
  const int64_t gendered = result.woman_images + result.man_images;
  result.woman_accuracy = ratio_of(result.woman_correct, result.woman_images);
  result.man_accuracy = ratio_of(result.man_correct, result.man_images);
  result.gap = difference(result.woman_accuracy, result.man_accuracy);
  result.error_rate = ratio_of(result.misgendered, gendered);
  result.unstated_rate = ratio_of(result.unstated, gendered);
  return result;
}

GenderRatio gender_ratio(const std::vector<CaptionedImage>& images, Language language) {
  GenderRatio result;
  for (const CaptionedImage& image : images) {
    if (image.figure == FigureGender::Person) continue;
    (image.figure == FigureGender::Woman ? result.woman_images : result.man_images) += 1;
    const Gender stated = stated_gender(image.caption, language);
    result.stated_female += stated == Gender::Female;
    result.stated_male += stated == Gender::Male;
  }
  result.predicted = ratio_of(result.stated_female, result.stated_male);
  result.truth = ratio_of(result.woman_images, result.man_images);
  return result;
}

BiasAmplification bias_amplification(const std::vector<CaptionedImage>& images, Language language,
                                     const SceneFigureCounts& reference) {
  std::map<std::string, SceneAmplification> scenes;
  for (const auto& [scene, counts] : reference) scenes[scene].reference = counts;
  for (const CaptionedImage& image : images) {
    SceneAmplification& scene = scenes[image.scene];
    const Gender stated = stated_gender(image.caption, language);
    scene.stated_female += stated == Gender::Female;
    scene.stated_male += stated == Gender::Male;
  }
  BiasAmplification result;
  double sum = 0.0;
  for (auto& [name, scene] : scenes) {
    scene.scene = name;
    scene.reference_share = ratio_of(scene.reference.woman, scene.reference.woman + scene.reference.man);
    scene.predicted_share = ratio_of(scene.stated_female, scene.stated_female + scene.stated_male);
    if (scene.reference_share && scene.predicted_share && *scene.reference_share != 0.5) {
      const double towards_woman = *scene.predicted_share - *scene.reference_share;
      scene.amplification = *scene.reference_share > 0.5 ? towards_woman : -towards_woman;
      sum += *scene.amplification;
      ++result.scenes_used;
    }
    result.scenes.push_back(scene);
  }
  if (result.scenes_used) result.value = sum / double(result.scenes_used);
  return result;
}

CaptionBias caption_bias(const std::vector<CaptionedImage>& images, Language language,
                         const SceneFigureCounts& reference, const LeakageOptions& leakage) {
  CaptionBias bias;
  bias.accuracy = gender_accuracy(images, language);
  bias.ratio = gender_ratio(images, language);
  bias.amplification = bias_amplification(images, language, reference);
  std::vector<std::string> captions, references;
  std::vector<bool> is_woman;
  for (const CaptionedImage& image : images) {
    if (image.figure == FigureGender::Person) continue;
    captions.push_back(image.caption);
    references.push_back(image.reference);
    is_woman.push_back(image.figure == FigureGender::Woman);
  }
  bias.model_leakage = gender_leakage(captions, is_woman, language, leakage);
  bias.reference_leakage = gender_leakage(references, is_woman, language, leakage);
  if (bias.model_leakage && bias.reference_leakage)
    bias.lic = bias.model_leakage->leakage - bias.reference_leakage->leakage;
  return bias;
}

nlohmann::ordered_json caption_bias_json(const CaptionBias& bias) {
  const GenderAccuracy& a = bias.accuracy;
  const GenderRatio& r = bias.ratio;
  return {{"accuracy",
           {{"woman_images", a.woman_images},
            {"man_images", a.man_images},
            {"woman", value(a.woman_accuracy)},
            {"man", value(a.man_accuracy)},
            {"gap", value(a.gap)},
            {"error_rate", value(a.error_rate)},
            {"unstated_rate", value(a.unstated_rate)}}},
          {"ratio",
           {{"stated_female", r.stated_female},
            {"stated_male", r.stated_male},
            {"predicted", value(r.predicted)},
            {"truth", value(r.truth)}}},
          {"amplification",
           {{"value", value(bias.amplification.value)},
            {"scenes_used", bias.amplification.scenes_used},
            {"scenes", scenes_json(bias.amplification.scenes)}}},
          {"leakage",
           {{"model", leakage_json(bias.model_leakage)},
            {"reference", leakage_json(bias.reference_leakage)},
            {"lic", value(bias.lic)}}}};
}

}  // namespace loupe::eval
