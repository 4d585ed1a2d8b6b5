#include "core/eval/gender.h"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace loupe::eval {

namespace {

using Lexicon = std::unordered_map<std::string, Gender>;

// Entries are written naturally and normalised like caption words (e.g. أ -> ا) when the table is built.
void add(Lexicon& lexicon, Gender gender, std::initializer_list<const char*> words) {
  for (const char* word : words)
    for (const std::string& normalised : caption_words(word)) lexicon.emplace(normalised, gender);
}

Lexicon english_nouns() {
  Lexicon l;
  add(l, Gender::Female,
      {"woman",    "women",       "girl",          "girls",       "lady",        "ladies",     "female",
       "females",  "mother",      "mothers",       "mom",         "moms",        "mum",        "mums",
       "daughter", "daughters",   "sister",        "sisters",     "wife",        "wives",      "aunt",
       "aunts",    "grandmother", "grandma",       "bride",       "queen",       "princess",   "actress",
       "waitress", "girlfriend",  "businesswoman", "policewoman", "sportswoman", "schoolgirl", "schoolgirls"});
  add(l, Gender::Male,
      {"man",       "men",      "boy",     "boys",      "gentleman", "gentlemen",   "guy",         "guys",
       "male",      "males",    "father",  "fathers",   "dad",       "dads",        "son",         "sons",
       "brother",   "brothers", "husband", "husbands",  "uncle",     "uncles",      "grandfather", "grandpa",
       "groom",     "king",     "prince",  "waiter",    "boyfriend", "businessman", "businessmen", "policeman",
       "policemen", "fireman",  "firemen", "sportsman", "schoolboy", "schoolboys"});
  add(l, Gender::Neutral,
      {"person",     "persons", "people",   "someone", "somebody", "individual", "child",   "children",     "kid",
       "kids",       "baby",    "babies",   "toddler", "teenager", "teen",       "adult",   "adults",       "student",
       "students",   "teacher", "teachers", "worker",  "workers",  "player",     "players", "chef",         "cook",
       "doctor",     "nurse",   "mechanic", "driver",  "rider",    "skier",      "surfer",  "skateboarder", "athlete",
       "pedestrian", "tourist", "crowd",    "family",  "friends",  "couple"});
  return l;
}

Lexicon arabic_nouns() {
  Lexicon l;
  add(l, Gender::Female,
      {"امرأة",   "المرأة", "امرأتان", "نساء",  "النساء",  "سيدة",  "السيدة",  "سيدات", "السيدات", "فتاة",
       "الفتاة",  "فتيات",  "الفتيات", "بنت",   "البنت",   "بنات",  "البنات",  "طفلة",  "الطفلة",  "أم",
       "الأم",    "زوجة",   "الزوجة",  "أخت",   "الأخت",   "جدة",   "الجدة",   "معلمة", "المعلمة", "طالبة",
       "الطالبة", "طبيبة",  "الطبيبة", "ممرضة", "الممرضة", "لاعبة", "اللاعبة", "عاملة", "العاملة", "أنثى"});
  add(l, Gender::Male, {"رجل",     "الرجل",  "رجلا",  "رجلان",  "رجال",  "الرجال", "ولد",   "الولد",  "ولدا", "أولاد",
                        "الأولاد", "صبي",    "الصبي", "فتى",    "الفتى", "شاب",    "الشاب", "شابا",   "أب",   "الأب",
                        "زوج",     "الزوج",  "أخ",    "الأخ",   "جد",    "الجد",   "معلم",  "المعلم", "طالب", "الطالب",
                        "طبيب",    "الطبيب", "ممرض",  "الممرض", "لاعب",  "اللاعب", "عامل",  "العامل"});
  add(l, Gender::Neutral,
      {"شخص", "الشخص", "شخصا", "شخصان", "أشخاص", "الأشخاص", "ناس", "الناس", "طفل", "الطفل", "طفلا", "أطفال", "الأطفال",
       "رضيع", "الرضيع", "أحد", "أحدهم"});
  return l;
}

Lexicon english_pronouns() {
  Lexicon l;
  add(l, Gender::Female, {"she", "her", "hers", "herself"});
  add(l, Gender::Male, {"he", "him", "his", "himself"});
  return l;
}

Lexicon arabic_pronouns() {
  Lexicon l;
  add(l, Gender::Female, {"هي"});
  add(l, Gender::Male, {"هو"});
  return l;
}

// Words that look like present-tense verbs (ت/ي + 2 letters) or end like attached pronouns but are not.
const std::unordered_set<std::string>& arabic_lookalikes() {
  static const std::unordered_set<std::string> words = [] {
    std::unordered_set<std::string> set;
    for (const char* word :
         {"تحت",   "تجاه",  "تلك",    "تلفاز", "تلفزيون", "تمثال", "تل",    "تراب",  "تمر", "ترام", "تاكسي",
          "يد",    "يدي",   "يدا",    "يوم",   "يمين",    "يسار",  "يمينا", "يسارا", "وجه", "مياه", "الله",
          "فواكه", "اتجاه", "انتباه", "هذه",   "شبه",     "بيت",   "وقت",   "زيت",   "صوت", "ميت"})
      for (const std::string& normalised : caption_words(word)) set.insert(normalised);
    return set;
  }();
  return words;
}

bool starts_with(const std::string& word, const std::string& prefix) {
  return word.compare(0, prefix.size(), prefix) == 0;
}
bool ends_with(const std::string& word, const std::string& suffix) {
  return word.size() >= suffix.size() && word.compare(word.size() - suffix.size(), suffix.size(), suffix) == 0;
}
size_t letter_count(const std::string& word) {
  size_t count = 0;
  for (char byte : word) count += (uint8_t(byte) & 0xC0) != 0x80;
  return count;
}
std::string without_first_letter(const std::string& word) {
  size_t end = 1;
  while (end < word.size() && (uint8_t(word[end]) & 0xC0) == 0x80) ++end;
  return word.substr(end);
}

// The readings of an Arabic word with its leading clitics removed, the word itself first:
// conjunction و/ف, then preposition ب/ك/ل (لل = ل + ال).
std::vector<std::string> arabic_readings(const std::string& word) {
  std::vector<std::string> readings = {word};
  for (const char* conjunction : {"و", "ف"})
    if (starts_with(word, conjunction) && letter_count(word) > 2) readings.push_back(without_first_letter(word));
  const size_t stems = readings.size();
  for (size_t i = 0; i < stems; ++i) {
    const std::string stem = readings[i];
    if (starts_with(stem, "لل") && letter_count(stem) > 3)
      readings.push_back("ال" + stem.substr(std::string("لل").size()));
    for (const char* preposition : {"ب", "ك", "ل"})
      if (starts_with(stem, preposition) && letter_count(stem) > 2) readings.push_back(without_first_letter(stem));
  }
  return readings;
}

std::optional<Gender> look_up(const Lexicon& lexicon, const std::string& word, Language language) {
  if (language == Language::English) {
    auto it = lexicon.find(word);
    return it == lexicon.end() ? std::nullopt : std::optional<Gender>(it->second);
  }
  for (const std::string& reading : arabic_readings(word))
    if (auto it = lexicon.find(reading); it != lexicon.end()) return it->second;
  return std::nullopt;
}

// Female for a present-tense verb with prefix ت, Male for ي (after an optional conjunction و/ف).
std::optional<Gender> present_verb_gender(const std::string& word) {
  std::string verb = word;
  if ((starts_with(verb, "و") || starts_with(verb, "ف")) && letter_count(verb) > 3) {
    const std::string rest = without_first_letter(verb);
    if (starts_with(rest, "ت") || starts_with(rest, "ي")) verb = rest;
  }
  if (letter_count(verb) < 3 || ends_with(verb, "ة") || arabic_lookalikes().count(verb)) return std::nullopt;
  if (starts_with(verb, "ت")) return Gender::Female;
  if (starts_with(verb, "ي")) return Gender::Male;
  return std::nullopt;
}

GenderInference decided(Gender gender, GenderCue cue, const std::string& word) { return {gender, cue, word}; }

// Steps 1 and 2: the words of one lexicon; both genders present -> Unknown.
std::optional<GenderInference> by_lexicon(const std::vector<std::string>& words, const Lexicon& lexicon,
                                          Language language, GenderCue cue, bool gendered_only) {
  std::optional<GenderInference> first;
  bool female = false, male = false;
  for (const std::string& word : words) {
    const std::optional<Gender> gender = look_up(lexicon, word, language);
    if (!gender || (gendered_only && *gender == Gender::Neutral)) continue;
    female |= *gender == Gender::Female;
    male |= *gender == Gender::Male;
    if (!first) first = decided(*gender, cue, word);
  }
  if (female && male) first->gender = Gender::Unknown;
  return first;
}

std::optional<GenderInference> by_arabic_morphology(const std::vector<std::string>& words) {
  for (const std::string& word : words)
    if (auto gender = present_verb_gender(word)) return decided(*gender, GenderCue::VerbPrefix, word);
  if (!words.empty()) {
    const std::string& first = words.front();
    for (const char* feminine : {"كانت", "ليست"})
      if (first == feminine) return decided(Gender::Female, GenderCue::PastSuffix, first);
    for (const char* masculine : {"كان", "ليس"})
      if (first == masculine) return decided(Gender::Male, GenderCue::PastSuffix, first);
    if (letter_count(first) >= 3 && ends_with(first, "ت") && !arabic_lookalikes().count(first))
      return decided(Gender::Female, GenderCue::PastSuffix, first);
  }
  int feminine = 0, masculine = 0;
  std::string first_feminine, first_masculine;
  for (const std::string& word : words) {
    if (letter_count(word) < 3 || arabic_lookalikes().count(word)) continue;
    if (ends_with(word, "ها")) {
      if (!feminine++) first_feminine = word;
    } else if (ends_with(word, "ه")) {
      if (!masculine++) first_masculine = word;
    }
  }
  if (feminine > masculine) return decided(Gender::Female, GenderCue::PronounSuffix, first_feminine);
  if (masculine > feminine) return decided(Gender::Male, GenderCue::PronounSuffix, first_masculine);
  return std::nullopt;
}

}  // namespace

const char* gender_name(Gender gender) {
  switch (gender) {
    case Gender::Female: return "female";
    case Gender::Male: return "male";
    case Gender::Neutral: return "neutral";
    case Gender::Unknown: return "unknown";
  }
  return "unknown";
}

const char* gender_cue_name(GenderCue cue) {
  switch (cue) {
    case GenderCue::None: return "none";
    case GenderCue::Noun: return "noun";
    case GenderCue::Pronoun: return "pronoun";
    case GenderCue::NeutralNoun: return "neutral noun";
    case GenderCue::VerbPrefix: return "verb prefix";
    case GenderCue::PastSuffix: return "past-tense suffix";
    case GenderCue::PronounSuffix: return "pronoun suffix";
  }
  return "none";
}

GenderInference infer_gender(const std::string& caption, Language language) {
  static const Lexicon kEnglishNouns = english_nouns(), kArabicNouns = arabic_nouns();
  static const Lexicon kEnglishPronouns = english_pronouns(), kArabicPronouns = arabic_pronouns();
  const bool arabic = language == Language::Arabic;
  const Lexicon& nouns = arabic ? kArabicNouns : kEnglishNouns;
  const std::vector<std::string> words = caption_words(caption);
  if (auto result = by_lexicon(words, nouns, language, GenderCue::Noun, true)) return *result;
  if (auto result = by_lexicon(words, arabic ? kArabicPronouns : kEnglishPronouns, language, GenderCue::Pronoun, true))
    return *result;
  if (auto result = by_lexicon(words, nouns, language, GenderCue::NeutralNoun, false)) return *result;
  if (arabic)
    if (auto result = by_arabic_morphology(words)) return *result;
  return {};
}

AgreementCheck check_arabic_agreement(const std::string& caption) {
  static const Lexicon kNouns = arabic_nouns();
  const std::vector<std::string> words = caption_words(caption);
  AgreementCheck check;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::optional<Gender> subject = look_up(kNouns, words[i], Language::Arabic);
    if (!subject) continue;
    check.subject = *subject;
    check.subject_word = words[i];
    for (size_t neighbour : {i + 1, i - 1}) {  // i - 1 wraps past the end when i == 0
      if (neighbour >= words.size()) continue;
      if (auto verb = present_verb_gender(words[neighbour])) {
        check.verb = *verb;
        check.verb_word = words[neighbour];
        break;
      }
    }
    break;
  }
  const bool feminine_subject = check.subject == Gender::Female;
  check.agrees = check.subject != Gender::Unknown && check.verb != Gender::Unknown &&
                 check.verb == (feminine_subject ? Gender::Female : Gender::Male);
  return check;
}

}  // namespace loupe::eval
