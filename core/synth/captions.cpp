#include "core/synth/captions.h"

#include <map>
#include <utility>
#include <vector>

#include "core/error.h"

namespace loupe::synth {

namespace {

struct ActivityWords {
  const char* english;        // "{their}" becomes her / his / their
  const char* arabic_verb;    // masculine present tense (prefix ي)
  const char* arabic_object;  // may be empty; "{h}" becomes the pronoun suffix ها / ه
};

constexpr ActivityWords kActivityWords[kActivityCount] = {
    {"cooking", "يطبخ", ""},
    {"washing the dishes", "يغسل", "الصحون"},
    {"fixing a car", "يصلح", "سيارة"},
    {"changing a tyre", "يغير", "إطارا"},
    {"typing on a computer", "يكتب", "على الحاسوب"},
    {"carrying boxes", "يحمل", "صناديق"},
    {"walking {their} dog", "يتمشى", "مع كلب{h}"},
    {"playing football", "يلعب", "كرة القدم"},
    {"teaching a lesson", "يشرح", "الدرس"},
    {"reading a book", "يقرأ", "كتابا"},
    {"cutting wood", "يقطع", "الخشب"},
    {"hammering a nail", "يدق", "مسمارا"},
};

constexpr const char* kArabicScenes[kSceneCount] = {"المطبخ", "المرآب", "المكتب", "الحديقة", "الفصل", "الورشة"};
constexpr const char* kEnglishSubjects[kSubjectCount] = {"woman", "man", "person"};
constexpr const char* kArabicSubjects[kSubjectCount] = {"امرأة", "رجل", "شخص"};
constexpr const char* kEnglishPossessives[kSubjectCount] = {"her", "his", "their"};
constexpr const char* kArabicVerbPrefix = "ي";
constexpr const char* kArabicFeminineVerbPrefix = "ت";

std::string replace(std::string text, const std::string& from, const std::string& to) {
  if (auto at = text.find(from); at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

bool feminine(Subject subject) { return subject == Subject::Woman; }

std::string english_activity(Subject subject, Activity activity) {
  return replace(kActivityWords[int(activity)].english, "{their}", kEnglishPossessives[int(subject)]);
}

std::string arabic_verb(Subject subject, Activity activity) {
  const std::string masculine = kActivityWords[int(activity)].arabic_verb;
  if (!feminine(subject)) return masculine;
  return kArabicFeminineVerbPrefix + masculine.substr(std::string(kArabicVerbPrefix).size());
}

std::string arabic_object(Subject subject, Activity activity) {
  return replace(kActivityWords[int(activity)].arabic_object, "{h}", feminine(subject) ? "ها" : "ه");
}

std::string english_caption(Subject subject, Activity activity, int phrasing) {
  const std::string who = std::string("a ") + kEnglishSubjects[int(subject)];
  const std::string what = english_activity(subject, activity);
  const std::string where = std::string(" in the ") + scene_name(activity_scene(activity));
  if (phrasing == 0) return who + " is " + what + where;
  if (phrasing == 1) return "there is " + who + " " + what + where;
  return who + " " + what + where;
}

std::string arabic_caption(Subject subject, Activity activity, int phrasing) {
  const std::string who = kArabicSubjects[int(subject)];
  const std::string verb = arabic_verb(subject, activity);
  const std::string object = arabic_object(subject, activity);
  const std::string rest = (object.empty() ? "" : " " + object) + " في " + kArabicScenes[int(activity_scene(activity))];
  if (phrasing == 0) return who + " " + verb + rest;
  if (phrasing == 1) return "هناك " + who + " " + verb + rest;
  return verb + " " + who + rest;
}

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& word : words) text += (text.empty() ? "" : " ") + word;
  return text;
}

bool contains_sequence(const std::vector<std::string>& words, const std::vector<std::string>& sequence) {
  if (sequence.empty()) return true;
  for (size_t start = 0; start + sequence.size() <= words.size(); ++start) {
    size_t k = 0;
    while (k < sequence.size() && words[start + k] == sequence[k]) ++k;
    if (k == sequence.size()) return true;
  }
  return false;
}

// Every template's normalised words -> (subject, activity), per language.
using TemplateTable = std::map<std::string, std::pair<Subject, Activity>>;
TemplateTable build_template_table(Language language) {
  TemplateTable table;
  for (int s = 0; s < kSubjectCount; ++s)
    for (int a = 0; a < kActivityCount; ++a)
      for (int p = 0; p < kPhrasingCount; ++p)
        table[joined(eval::caption_words(caption_text(Subject(s), Activity(a), p, language)))] = {Subject(s),
                                                                                                  Activity(a)};
  return table;
}

const TemplateTable& template_table(Language language) {
  static const TemplateTable english = build_template_table(Language::English);
  static const TemplateTable arabic = build_template_table(Language::Arabic);
  return language == Language::Arabic ? arabic : english;
}

// The activity whose phrase (in any subject's form) occurs in the words; in Arabic the verb and its
// object may be separated by the subject (verb-subject order).
std::optional<Activity> find_activity(const std::vector<std::string>& words, Language language) {
  for (int a = 0; a < kActivityCount; ++a) {
    for (int s = 0; s < kSubjectCount; ++s) {
      const Activity activity = Activity(a);
      const Subject subject = Subject(s);
      const bool found = language == Language::English
                             ? contains_sequence(words, eval::caption_words(english_activity(subject, activity)))
                             : contains_sequence(words, eval::caption_words(arabic_verb(subject, activity))) &&
                                   contains_sequence(words, eval::caption_words(arabic_object(subject, activity)));
      if (found) return activity;
    }
  }
  return std::nullopt;
}

// The first word that is one of `count` names (name_of(i) for i < count), as its id.
template <class Id, class NameOf>
std::optional<Id> find_word(const std::vector<std::string>& words, int count, NameOf name_of) {
  for (const auto& word : words)
    for (int i = 0; i < count; ++i)
      if (eval::caption_words(name_of(i)) == std::vector<std::string>{word}) return Id(i);
  return std::nullopt;
}

}  // namespace

std::string caption_text(Subject subject, Activity activity, int phrasing, Language language) {
  if (phrasing < 0 || phrasing >= kPhrasingCount)
    throw InputError("caption phrasing " + std::to_string(phrasing) + " does not exist; use 0 to " +
                     std::to_string(kPhrasingCount - 1));
  return language == Language::Arabic ? arabic_caption(subject, activity, phrasing)
                                      : english_caption(subject, activity, phrasing);
}

ParsedCaption parse_caption(const std::string& text, Language language) {
  const std::vector<std::string> words = eval::caption_words(text);
  ParsedCaption parsed;
  const TemplateTable& table = template_table(language);
  if (auto it = table.find(joined(words)); it != table.end()) {
    parsed.subject = it->second.first;
    parsed.activity = it->second.second;
    parsed.scene = activity_scene(it->second.second);
    parsed.exact = true;
    return parsed;
  }
  const bool arabic = language == Language::Arabic;
  parsed.subject = find_word<Subject>(words, kSubjectCount,
                                      [&](int i) { return arabic ? kArabicSubjects[i] : kEnglishSubjects[i]; });
  parsed.activity = find_activity(words, language);
  parsed.scene =
      find_word<Scene>(words, kSceneCount, [&](int i) { return arabic ? kArabicScenes[i] : scene_name(Scene(i)); });
  return parsed;
}

}  // namespace loupe::synth
