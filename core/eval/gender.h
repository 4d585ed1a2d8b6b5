// Which gender a caption states, in English or Arabic, for reference captions and model outputs alike.
//
// Precedence (the first step that decides wins):
//  1. Gendered person nouns and adjectives, singular, dual and plural, relational ones included
//     (woman, women, ladies, wife, mother... / man, men, gentlemen, husband, brother...;
//     امرأة، امرأتان، نساء، فتيات، زوجة، أخت... / رجل، رجلان، رجال، أولاد، زوج، أخ...). Arabic words
//     are also found behind clitics (و ف ب ك ل لل ال), with an attached pronoun (زوجته "his wife")
//     and in the spellings listed in gender_lexicon.h. Only female words -> Female, only male words ->
//     Male, both -> Unknown (a mixed caption such as "a man and a woman", "a woman with her son").
//     Sound masculine plurals of Arabic agent nouns (لاعبون، معلمين) are neutral words, not male ones.
//  2. Gendered pronouns: she/her/hers/herself, he/him/his/himself (also in contractions: she'll);
//     هي، هن / هو. Both genders -> Unknown.
//  3. A neutral person noun (person, people, child, couple, student...; شخص، أشخاص، الناس، طفل،
//     زوجان، طلاب...) -> Neutral. Arabic morphology is not consulted here: neutral nouns such as شخص
//     take masculine agreement, so a masculine verb after them says nothing about gender.
//  4. Arabic morphology, for captions with no person word at all:
//     a. the first present-tense verb: prefix ت -> Female, ي -> Male (a word of 3+ letters starting
//        with ت/ي, after an optional و/ف, not ending in ة, not a listed noun or preposition such as
//        تحت، يد، يوم, not a verbal noun of the pattern تفعيل such as تصوير، تعليم, and not a verb
//        that describes the picture: تظهر، يوجد، تبدو...);
//     b. the first word as a past-tense verb: suffix ـت -> Female (جلست), but not ـات (a feminine
//        plural noun: سيارات); the auxiliaries كانت / ليست -> Female, كان / ليس -> Male;
//     c. attached pronouns: more words ending in ـها than in ـه -> Female, fewer -> Male
//        (prepositions with a pronoun, عليها "on it", فيه "in it", are not counted).
//     Taa marbuta ة alone is not used: inanimate nouns carry it too (سيارة، كرة).
//  5. Otherwise Unknown.
// English hyphenated compounds that are not about a person (man-made) are read as one word.
// Animals are not told apart from people ("a female lion" is Female).
#pragma once
#include <string>
#include <vector>

#include "core/eval/caption_words.h"
#include "core/eval/gender_lexicon.h"

namespace loupe::eval {

const char* gender_name(Gender gender);  // "female", "male", "neutral", "unknown"

// The step of the precedence above that decided.
enum class GenderCue { None, Noun, Pronoun, NeutralNoun, VerbPrefix, PastSuffix, PronounSuffix };
const char* gender_cue_name(GenderCue cue);

struct GenderInference {
  Gender gender = Gender::Unknown;
  GenderCue cue = GenderCue::None;
  std::string word;  // the normalised word that decided (the first one found), empty for None
};

GenderInference infer_gender(const std::string& caption, Language language);

// Subject-verb gender agreement in an Arabic caption. The subject is the first person noun; the verb
// is the present-tense verb right after it (subject-verb order) or else right before it (verb-subject
// order). A feminine subject needs a ت-verb; masculine and neutral subjects (رجل، شخص) a ي-verb.
struct AgreementCheck {
  Gender subject = Gender::Unknown;  // Female, Male, Neutral; Unknown when no person noun is found
  Gender verb = Gender::Unknown;     // Female (ت), Male (ي); Unknown when no adjacent verb is found
  std::string subject_word, verb_word;
  bool agrees = false;  // both found and in agreement
};

AgreementCheck check_arabic_agreement(const std::string& caption);

// The word gender words are replaced with by gender_masked_words.
constexpr const char* kGenderMask = "<gender>";

// The caption's words (caption_words) with what states gender taken out, for leakage classifiers
// (bias_measures.h): every gendered noun and pronoun of steps 1 and 2 becomes kGenderMask. In Arabic,
// gender-marked forms are also written in their masculine form: a present-tense verb's prefix ت
// becomes ي, the first word's past-tense ـت is dropped (كانت -> كان), an attached ـها becomes ـه,
// and a final ة is dropped from every word. Neutral nouns are kept.
std::vector<std::string> gender_masked_words(const std::string& caption, Language language);

}  // namespace loupe::eval
