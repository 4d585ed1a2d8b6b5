#include "core/eval/gender.h"

#include <cstdint>
#include <optional>

namespace loupe::eval {

namespace {

std::string without_ending(const std::string& word, const std::string& ending) {
  return word.substr(0, word.size() - ending.size());
}

// English compounds whose first part would otherwise read as a person noun.
std::string join_non_person_compounds(std::string text) {
  for (char& c : text)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  for (const std::string compound : {"man-made", "man-sized", "man-hours"})
    for (size_t at = text.find(compound); at != std::string::npos; at = text.find(compound, at + 1))
      if (at == 0 || !(text[at - 1] >= 'a' && text[at - 1] <= 'z')) text.erase(at + compound.find('-'), 1);
  return text;
}

std::vector<std::string> words_of(const std::string& caption, Language language) {
  return caption_words(language == Language::English ? join_non_person_compounds(caption) : caption);
}

// A verbal noun of the pattern تفعيل (تصوير، تعليم): five letters, ت first and ي fourth.
bool is_verbal_noun(const std::string& word) {
  if (letter_count(word) != 5 || !starts_with(word, "ت")) return false;
  std::string rest = word;
  for (int letter = 0; letter < 3; ++letter) rest = without_first_letter(rest);
  return starts_with(rest, "ي");
}

// The stem of a present-tense verb (the word after an optional و/ف, from its ت/ي prefix on), or
// empty when the word is not read as one.
std::string present_verb(const std::string& word) {
  std::string verb = word;
  if ((starts_with(verb, "و") || starts_with(verb, "ف")) && letter_count(verb) > 3) {
    const std::string rest = without_first_letter(verb);
    if (starts_with(rest, "ت") || starts_with(rest, "ي")) verb = rest;
  }
  if (letter_count(verb) < 3 || ends_with(verb, "ة") || is_arabic_lookalike(verb) || is_arabic_picture_verb(verb) ||
      is_verbal_noun(verb))
    return "";
  return starts_with(verb, "ت") || starts_with(verb, "ي") ? verb : "";
}

// Female for a present-tense verb with prefix ت, Male for ي.
std::optional<Gender> present_verb_gender(const std::string& word) {
  const std::string verb = present_verb(word);
  if (verb.empty()) return std::nullopt;
  return starts_with(verb, "ت") ? Gender::Female : Gender::Male;
}

// Step 4b: the first word read as a past-tense verb.
std::optional<Gender> past_verb_gender(const std::string& first) {
  if (first == "كانت" || first == "ليست") return Gender::Female;
  if (first == "كان" || first == "ليس") return Gender::Male;
  if (letter_count(first) >= 3 && ends_with(first, "ت") && !ends_with(first, "ات") && !is_arabic_lookalike(first))
    return Gender::Female;
  return std::nullopt;
}

// Step 4c: Female for a word ending in ـها, Male for ـه.
std::optional<Gender> pronoun_suffix_gender(const std::string& word) {
  if (letter_count(word) < 3 || is_arabic_lookalike(word)) return std::nullopt;
  if (ends_with(word, "ها")) return Gender::Female;
  if (ends_with(word, "ه")) return Gender::Male;
  return std::nullopt;
}

std::optional<Gender> gendered(std::optional<Gender> gender) {
  return gender && *gender != Gender::Neutral ? gender : std::nullopt;
}

GenderInference decided(Gender gender, GenderCue cue, const std::string& word) { return {gender, cue, word}; }

using WordGender = std::optional<Gender> (*)(const std::string&, Language);

// Steps 1 to 3: the words one lexicon knows; both genders present -> Unknown.
std::optional<GenderInference> by_lexicon(const std::vector<std::string>& words, WordGender gender_of,
                                          Language language, GenderCue cue, bool gendered_only) {
  std::optional<GenderInference> first;
  bool female = false, male = false;
  for (const std::string& word : words) {
    const std::optional<Gender> gender = gender_of(word, language);
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
  if (!words.empty())
    if (auto gender = past_verb_gender(words.front())) return decided(*gender, GenderCue::PastSuffix, words.front());
  int feminine = 0, masculine = 0;
  std::string first_feminine, first_masculine;
  for (const std::string& word : words) {
    const std::optional<Gender> gender = pronoun_suffix_gender(word);
    if (gender == Gender::Female && !feminine++) first_feminine = word;
    if (gender == Gender::Male && !masculine++) first_masculine = word;
  }
  if (feminine > masculine) return decided(Gender::Female, GenderCue::PronounSuffix, first_feminine);
  if (masculine > feminine) return decided(Gender::Male, GenderCue::PronounSuffix, first_masculine);
  return std::nullopt;
}

// An Arabic word in its masculine form, as gender_masked_words documents.
std::string masculine_form(std::string word, bool first) {
  if (!present_verb(word).empty()) {
    const size_t prefix = word.size() - present_verb(word).size();
    word = word.substr(0, prefix) + "ي" + without_first_letter(word.substr(prefix));
  } else if (first && past_verb_gender(word) == Gender::Female) {
    word = without_ending(word, "ت");
  } else if (pronoun_suffix_gender(word) == Gender::Female) {
    word = without_ending(word, "ها") + "ه";
  }
  if (ends_with(word, "ة")) word = without_ending(word, "ة");
  return word;
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
  const std::vector<std::string> words = words_of(caption, language);
  if (auto result = by_lexicon(words, person_noun_gender, language, GenderCue::Noun, true)) return *result;
  if (auto result = by_lexicon(words, pronoun_gender, language, GenderCue::Pronoun, true)) return *result;
  if (auto result = by_lexicon(words, person_noun_gender, language, GenderCue::NeutralNoun, false)) return *result;
  if (language == Language::Arabic)
    if (auto result = by_arabic_morphology(words)) return *result;
  return {};
}

AgreementCheck check_arabic_agreement(const std::string& caption) {
  const std::vector<std::string> words = caption_words(caption);
  AgreementCheck check;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::optional<Gender> subject = person_noun_gender(words[i], Language::Arabic);
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

std::vector<std::string> gender_masked_words(const std::string& caption, Language language) {
  std::vector<std::string> words = words_of(caption, language);
  for (size_t i = 0; i < words.size(); ++i) {
    if (gendered(person_noun_gender(words[i], language)) || gendered(pronoun_gender(words[i], language)))
      words[i] = kGenderMask;
    else if (language == Language::Arabic)
      words[i] = masculine_form(words[i], i == 0);
  }
  return words;
}

}  // namespace loupe::eval
