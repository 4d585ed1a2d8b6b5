#include "core/eval/gender_lexicon.h"

#include <cstdint>
#include <initializer_list>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/eval/caption_words.h"

namespace loupe::eval {

namespace {

using Lexicon = std::unordered_map<std::string, Gender>;
using WordSet = std::unordered_set<std::string>;

void replace_all(std::string& word, const std::string& from, const std::string& to) {
  for (size_t at = word.find(from); at != std::string::npos; at = word.find(from, at + to.size()))
    word.replace(at, from.size(), to);
}

// The comparison key of an Arabic word: final ى as ي, Persian yeh and keheh as Arabic yaa and kaf.
std::string arabic_key(std::string word) {
  replace_all(word, "ی", "ي");
  replace_all(word, "ک", "ك");
  if (ends_with(word, "ى")) word.replace(word.size() - std::string("ى").size(), std::string("ى").size(), "ي");
  return word;
}

// Entries are written naturally and normalised like caption words (أ -> ا), then keyed.
std::string entry_key(const char* word, Language language) {
  const std::vector<std::string> words = caption_words(word);
  const std::string normalised = words.empty() ? std::string() : words.front();
  return language == Language::Arabic ? arabic_key(normalised) : normalised;
}

void add(Lexicon& lexicon, Language language, Gender gender, std::initializer_list<const char*> words) {
  for (const char* word : words) lexicon.emplace(entry_key(word, language), gender);
}

// The forms of a masculine agent noun stem, as the header lists them.
void add_agent_nouns(Lexicon& lexicon, std::initializer_list<const char*> stems) {
  for (const char* stem : stems) {
    const std::string key = entry_key(stem, Language::Arabic);
    for (const char* ending : {"", "ا", "ان"}) lexicon.emplace(key + ending, Gender::Male);
    for (const char* ending : {"ة", "ات", "تان", "تين"}) lexicon.emplace(key + ending, Gender::Female);
    for (const char* ending : {"ون", "ين"}) lexicon.emplace(key + ending, Gender::Neutral);
  }
}

Lexicon english_nouns() {
  const Language en = Language::English;
  Lexicon l;
  add(l, en, Gender::Female,
      {"woman",        "women",         "womens",       "girl",        "girls",         "lady",        "ladies",
       "gal",          "gals",          "female",       "females",     "mother",        "mothers",     "mom",
       "moms",         "mum",           "mums",         "mommy",       "daughter",      "daughters",   "sister",
       "sisters",      "wife",          "wives",        "aunt",        "aunts",         "niece",       "nieces",
       "grandmother",  "grandmothers",  "grandma",      "grandmas",    "granddaughter", "stepmother",  "bride",
       "brides",       "queen",         "queens",       "princess",    "princesses",    "duchess",     "actress",
       "actresses",    "waitress",      "waitresses",   "hostess",     "stewardess",    "heroine",     "girlfriend",
       "girlfriends",  "fiancee",       "widow",        "nun",         "nuns",          "housewife",   "housewives",
       "ballerina",    "businesswoman", "businesswomen", "policewoman", "policewomen",  "sportswoman", "sportswomen",
       "saleswoman",   "chairwoman",    "spokeswoman",  "horsewoman",  "cowgirl",       "cowgirls",    "schoolgirl",
       "schoolgirls",  "mrs",           "madam",        "ma'am"});
  add(l, en, Gender::Male,
      {"man",         "men",          "mens",        "boy",        "boys",        "gentleman",  "gentlemen",
       "guy",         "guys",         "lad",         "lads",       "dude",        "male",       "males",
       "father",      "fathers",      "dad",         "dads",       "daddy",       "son",        "sons",
       "brother",     "brothers",     "husband",     "husbands",   "uncle",       "uncles",     "nephew",
       "nephews",     "grandfather",  "grandfathers", "grandpa",   "grandpas",    "grandson",   "stepfather",
       "groom",       "grooms",       "king",        "kings",      "prince",      "princes",    "duke",
       "waiter",      "waiters",      "boyfriend",   "boyfriends", "fiance",      "widower",    "monk",
       "monks",       "businessman",  "businessmen", "policeman",  "policemen",   "fireman",    "firemen",
       "sportsman",   "sportsmen",    "salesman",    "chairman",   "spokesman",   "fisherman",  "fishermen",
       "postman",     "mailman",      "cameraman",   "repairman",  "handyman",    "doorman",    "horseman",
       "cowboy",      "cowboys",      "schoolboy",   "schoolboys", "mr",          "sir"});
  add(l, en, Gender::Neutral,
      {"person",     "persons",     "people",      "someone",    "somebody",   "individual",  "human",
       "humans",     "child",       "children",    "kid",        "kids",       "baby",        "babies",
       "infant",     "toddler",     "toddlers",    "teenager",   "teenagers",  "teen",        "teens",
       "youngster",  "adult",       "adults",      "parent",     "parents",    "student",     "students",
       "teacher",    "teachers",    "worker",      "workers",    "player",     "players",     "chef",
       "cook",       "doctor",      "doctors",     "nurse",      "nurses",     "mechanic",    "driver",
       "rider",      "riders",      "skier",       "surfer",     "surfers",    "skateboarder", "athlete",
       "pedestrian", "pedestrians", "tourist",     "tourists",   "passenger",  "passengers",  "customer",
       "customers",  "spectator",   "spectators",  "officer",    "firefighter", "farmer",     "soldier",
       "soldiers",   "dancer",      "musician",    "cyclist",    "crowd",      "family",      "friend",
       "friends",    "couple",      "sibling",     "siblings"});
  return l;
}

Lexicon arabic_nouns() {
  const Language ar = Language::Arabic;
  Lexicon l;
  add(l, ar, Gender::Female,
      {"امرأة", "المرأة", "امرأتان", "امرأتين", "نساء",  "نسوة",   "سيدة",  "سيدات", "آنسة",  "فتاة",  "فتاتان",
       "فتاتين", "فتيات",  "بنت",     "بنتان",   "بنتين", "بنات",   "طفلة",  "طفلتان", "طفلتين", "طفلات", "أم",
       "أمهات",  "والدة",  "زوجة",    "زوجات",   "أخت",   "أختان",  "أخوات", "ابنة",  "ابنتان", "جدة",   "جدات",
       "مدرسات", "عمة",    "خالة",   "عروس",    "عرائس",   "ملكة",  "أرملة",  "أنثى",  "إناث",  "طاهية", "وأم"});
  add(l, ar, Gender::Male,
      {"رجل",  "رجلا",  "رجلان", "رجلين", "رجال",  "ولد",  "ولدا",  "ولدان", "ولدين", "أولاد", "صبي",
       "صبيا", "صبيان", "فتى",   "فتيان", "شباب",  "شبان", "شيخ",   "عريس",  "أب",    "والد",  "زوج",
       "أخ",   "ابن",   "ابنان", "جد",    "سيد",   "سادة", "ذكور",  "طاهي", "شابين", "أخا", "أخو", "أبا", "مدرس", "سباح", "وأب", "وأخ"});
  add(l, ar, Gender::Neutral,
      {"شخص",  "شخصا", "شخصان", "شخصين", "أشخاص", "ناس",  "إنسان", "بشر",   "طفل",  "طفلا",   "طفلان",
       "طفلين", "أطفال", "رضيع",  "أحدهم", "زوجان", "زوجين", "والدان", "والدين", "أبوان", "أبوين",
       "آباء",  "أبناء", "إخوة",  "أجداد", "عائلة", "حشد",   "عجوز",  "طلاب",  "تلاميذ", "عمال",
       "أطباء", "أصدقاء", "سياح", "مشاة",  "ركاب",  "زوار", "مدرسون", "مدرسين", "سباحون"});
  add_agent_nouns(l, {"معلم", "طالب", "تلميذ", "طبيب", "ممرض", "لاعب",  "عامل",   "موظف",   "مهندس",
                      "مدير", "شرطي", "بائع", "راكب",  "سائق", "متزلج", "متسابق", "صديق", "زميل",  "فنان",
                      "عازف", "راقص", "زائر",  "سائح", "مشجع", "حارس", "نادل",  "خباز",  "أمير",
                      "حفيد", "راهب", "شاب"});
  return l;
}

Lexicon english_pronouns() {
  Lexicon l;
  add(l, Language::English, Gender::Female, {"she", "her", "hers", "herself"});
  add(l, Language::English, Gender::Male, {"he", "him", "his", "himself"});
  return l;
}

Lexicon arabic_pronouns() {
  Lexicon l;
  // With و/ف written out: the clitic rule keeps 3 letters, more than these pronouns have.
  add(l, Language::Arabic, Gender::Female, {"هي", "هن", "وهي", "فهي"});
  add(l, Language::Arabic, Gender::Male, {"هو", "وهو", "فهو"});
  return l;
}

WordSet arabic_set(std::initializer_list<const char*> words) {
  WordSet set;
  for (const char* word : words) set.insert(entry_key(word, Language::Arabic));
  return set;
}

// Readings 1 and 2 of the header: the word and its forms without proclitics and article.
std::vector<std::string> arabic_stems(const std::string& word) {
  std::vector<std::string> stems = {word};
  for (const char* conjunction : {"و", "ف"})
    if (starts_with(word, conjunction) && letter_count(word) > 3) stems.push_back(without_first_letter(word));
  for (size_t i = 0, n = stems.size(); i < n; ++i) {
    const std::string stem = stems[i];
    if (starts_with(stem, "لل") && letter_count(stem) > 3) stems.push_back("ال" + stem.substr(std::string("لل").size()));
    for (const char* preposition : {"ب", "ك", "ل"})
      if (starts_with(stem, preposition) && letter_count(stem) > 3) stems.push_back(without_first_letter(stem));
  }
  for (size_t i = 0, n = stems.size(); i < n; ++i)
    if (starts_with(stems[i], "ال") && letter_count(stems[i]) > 3) stems.push_back(stems[i].substr(std::string("ال").size()));
  return stems;
}

// All four readings of the header, in order.
std::vector<std::string> arabic_readings(const std::string& word) {
  std::vector<std::string> readings = arabic_stems(word);
  const size_t stems = readings.size();
  for (size_t i = 0; i < stems; ++i) {
    const std::string stem = readings[i];
    for (const std::string suffix : {"هما", "هم", "هن", "ها", "ه"}) {
      if (!ends_with(stem, suffix) || letter_count(stem) < letter_count(suffix) + 2) continue;
      const std::string base = stem.substr(0, stem.size() - suffix.size());
      readings.push_back(base);
      if (ends_with(base, "ت")) readings.push_back(base.substr(0, base.size() - std::string("ت").size()) + "ة");
      break;
    }
  }
  for (size_t i = 0; i < stems; ++i)
    if (ends_with(readings[i], "ه") && letter_count(readings[i]) >= 3)
      readings.push_back(readings[i].substr(0, readings[i].size() - std::string("ه").size()) + "ة");
  return readings;
}

std::optional<Gender> look_up(const Lexicon& lexicon, const std::string& word, Language language) {
  if (language == Language::English) {
    if (auto it = lexicon.find(word); it != lexicon.end()) return it->second;
    const size_t apostrophe = word.find('\'');
    if (apostrophe != std::string::npos && apostrophe > 0)
      if (auto it = lexicon.find(word.substr(0, apostrophe)); it != lexicon.end()) return it->second;
    return std::nullopt;
  }
  for (const std::string& reading : arabic_readings(arabic_key(word)))
    if (auto it = lexicon.find(reading); it != lexicon.end()) return it->second;
  return std::nullopt;
}

}  // namespace

std::optional<Gender> person_noun_gender(const std::string& word, Language language) {
  static const Lexicon kEnglish = english_nouns(), kArabic = arabic_nouns();
  return look_up(language == Language::Arabic ? kArabic : kEnglish, word, language);
}

std::optional<Gender> pronoun_gender(const std::string& word, Language language) {
  static const Lexicon kEnglish = english_pronouns(), kArabic = arabic_pronouns();
  return look_up(language == Language::Arabic ? kArabic : kEnglish, word, language);
}

bool is_arabic_lookalike(const std::string& word) {
  static const WordSet kWords = arabic_set(
      {"تحت",   "تجاه",  "تلك",   "تلفاز", "تلفزيون", "تمثال", "تل",    "تراب",  "تمر",   "ترام",  "تاكسي", "تين",
       "توت",   "تفاح",  "تاج",   "تنين",  "تيار",    "تاريخ", "تصميم", "تقرير", "يد",    "يدي",   "يدا",
       "يوم",   "يمين",  "يسار",  "يمينا", "يسارا",   "يخت",   "يقطين", "ياسمين", "وجه",  "مياه",  "الله",  "فواكه",
       "اتجاه", "انتباه", "هذه",  "شبه",   "بيت",     "وقت",   "زيت",   "صوت",   "ميت",   "ذات",   "سبت",   "نبات",
       "ثابت",  "صامت",  "جاكيت", "روبوت", "انترنت",  "عليها", "فيها",  "منها",  "لها",   "عنها",  "اليها", "حولها",
       "بجانبها", "عليه", "فيه",  "منه",   "عنه",     "اليه",  "حوله",  "بجانبه"});
  return kWords.count(arabic_key(word)) > 0;
}

bool is_arabic_picture_verb(const std::string& word) {
  static const WordSet kVerbs = arabic_set({"تظهر", "يظهر", "تبدو", "يبدو", "توجد", "يوجد", "تحتوي", "يحتوي", "تعرض",
                                            "يعرض", "تمثل", "يمثل", "تضم", "يضم"});
  return kVerbs.count(arabic_key(word)) > 0;
}

}  // namespace loupe::eval
