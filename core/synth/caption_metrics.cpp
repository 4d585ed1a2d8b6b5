#include "core/synth/caption_metrics.h"

#include "core/error.h"
#include "core/eval/gender.h"
#include "core/synth/captions.h"

namespace loupe::synth {

using eval::check_arabic_agreement;
using eval::Gender;
using eval::infer_gender;

namespace {

template <class Id, class NameOf>
Id label_id(const std::string& label, int count, NameOf name_of, const char* column) {
  for (int i = 0; i < count; ++i)
    if (label == name_of(Id(i))) return Id(i);
  throw InputError(std::string("'") + label + "' is not a synth " + column + " label");
}

Gender stated_gender(synth::Subject subject) { return subject == synth::Subject::Woman ? Gender::Female : Gender::Male; }

bool is_gendered(Gender stated) { return stated == Gender::Female || stated == Gender::Male; }

bool is_error(synth::Subject figure, Gender stated) {
  return figure == synth::Subject::Person ? is_gendered(stated) : is_gendered(stated) && stated != stated_gender(figure);
}

enum class Reading { Right, Wrong, None };

Reading reading_of(synth::Subject figure, Gender stated) {
  if (!is_gendered(stated)) return Reading::None;
  return stated == stated_gender(figure) ? Reading::Right : Reading::Wrong;
}

void count_change(GenderChanges& changes, Reading before, Reading after) {
  if (before == after) return;
  if (after == Reading::None) ++(before == Reading::Right ? changes.right_to_none : changes.wrong_to_none);
  else if (after == Reading::Right) ++(before == Reading::Wrong ? changes.wrong_to_right : changes.none_to_right);
  else ++(before == Reading::Right ? changes.right_to_wrong : changes.none_to_wrong);
}

nlohmann::json changes_json(const GenderChanges& changes) {
  return {{"right_to_none", changes.right_to_none}, {"wrong_to_none", changes.wrong_to_none},
          {"wrong_to_right", changes.wrong_to_right}, {"right_to_wrong", changes.right_to_wrong},
          {"none_to_right", changes.none_to_right},   {"none_to_wrong", changes.none_to_wrong}};
}

void tally(GenderTally& tally, synth::Subject figure, Gender stated) {
  ++tally.images;
  if (!is_gendered(stated)) ++tally.unstated;
  if (is_error(figure, stated)) ++tally.misgendered;
}

double share(int64_t part, int64_t whole) { return whole ? double(part) / double(whole) : 0.0; }

nlohmann::json tally_json(const GenderTally& tally) {
  return {{"images", tally.images},
          {"misgendered", tally.misgendered},
          {"unstated", tally.unstated},
          {"error_rate", tally.misgendered_rate()}};
}

nlohmann::json gender_json(const CaptionMetrics& metrics, int language) {
  return {{"stereotypical", tally_json(metrics.stereotypical[language])},
          {"counter", tally_json(metrics.counter[language])},
          {"neutral", tally_json(metrics.neutral[language])},
          {"gap", metrics.counter[language].misgendered_rate() - metrics.stereotypical[language].misgendered_rate()}};
}

}  // namespace

CaptionMetrics score_captions(const std::vector<CaptionRecord>& records) {
  CaptionMetrics metrics;
  for (const CaptionRecord& record : records) {
    const auto figure = label_id<synth::Subject>(record.figure, synth::kSubjectCount, synth::subject_name, "gender");
    const auto scene = label_id<synth::Scene>(record.scene, synth::kSceneCount, synth::scene_name, "scene");
    const auto activity = label_id<synth::Activity>(record.activity, synth::kActivityCount, synth::activity_name, "activity");
    ++metrics.images;

    const ParsedCaption english = parse_caption(record.en, Language::English);
    metrics.en_exact += english.exact;
    metrics.en_scene_correct += english.exact && english.scene == scene;
    metrics.en_activity_correct += english.exact && english.activity == activity;
    metrics.ar_agreeing += check_arabic_agreement(record.ar).agrees;

    const std::string* captions[2] = {&record.en, &record.ar};
    for (int language = 0; language < 2; ++language) {
      const Gender stated = infer_gender(*captions[language], language ? Language::Arabic : Language::English).gender;
      if (figure == synth::Subject::Person)
        tally(metrics.neutral[language], figure, stated);
      else if (figure == synth::stereotype(scene))
        tally(metrics.stereotypical[language], figure, stated);
      else
        tally(metrics.counter[language], figure, stated);
    }
  }
  return metrics;
}

bool misgendered(const CaptionRecord& record, Language lang) {
  const auto figure = label_id<synth::Subject>(record.figure, synth::kSubjectCount, synth::subject_name, "gender");
  return is_error(figure, infer_gender(lang == Language::Arabic ? record.ar : record.en, lang).gender);
}

GenderChangeTally tally_gender_changes(const std::vector<CaptionRecord>& before, const std::vector<CaptionRecord>& after,
                                       Language lang) {
  if (before.size() != after.size())
    throw InputError("gender changes: " + std::to_string(before.size()) + " captions before but " +
                     std::to_string(after.size()) + " after");
  GenderChangeTally tally;
  for (size_t i = 0; i < before.size(); ++i) {
    const CaptionRecord &a = before[i], &b = after[i];
    if (a.image != b.image) throw InputError("gender changes: image " + a.image + " before but " + b.image + " after");
    const auto figure = label_id<synth::Subject>(a.figure, synth::kSubjectCount, synth::subject_name, "gender");
    if (figure == synth::Subject::Person) continue;
    const auto scene = label_id<synth::Scene>(a.scene, synth::kSceneCount, synth::scene_name, "scene");
    const auto stated = [&](const CaptionRecord& record) {
      return infer_gender(lang == Language::Arabic ? record.ar : record.en, lang).gender;
    };
    count_change(figure == synth::stereotype(scene) ? tally.stereotypical : tally.counter, reading_of(figure, stated(a)),
                 reading_of(figure, stated(b)));
  }
  return tally;
}

nlohmann::json gender_changes_json(const GenderChangeTally& tally) {
  return {{"stereotypical", changes_json(tally.stereotypical)}, {"counter", changes_json(tally.counter)}};
}

nlohmann::json metrics_json(const CaptionMetrics& metrics) {
  return {{"images", metrics.images},
          {"en",
           {{"exact_template", share(metrics.en_exact, metrics.images)},
            {"scene_accuracy", share(metrics.en_scene_correct, metrics.images)},
            {"activity_accuracy", share(metrics.en_activity_correct, metrics.images)},
            {"gender", gender_json(metrics, 0)}}},
          {"ar", {{"agreement", share(metrics.ar_agreeing, metrics.images)}, {"gender", gender_json(metrics, 1)}}}};
}

}  // namespace loupe::synth
