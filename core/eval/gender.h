// Which gender a caption states, in English or Arabic, for reference captions and model outputs alike.
//
// Precedence (the first step that decides wins):
//  1. Gendered person nouns and adjectives (woman, girl, mother, female... / man, boy, father, male...;
//     امرأة، فتاة، سيدة، بنت، أم... / رجل، ولد، شاب، صبي، أب...; Arabic words are also found behind the
//     clitics و ف ب ك ل and لل). Only female words -> Female, only male words -> Male, both -> Unknown
//     (a mixed caption such as "a man and a woman").
//  2. Gendered pronouns: she/her/hers/herself, he/him/his/himself; هي / هو. Both genders -> Unknown.
//  3. A neutral person noun (person, people, child, someone, student...; شخص، أشخاص، الناس، طفل...)
//     -> Neutral. Arabic morphology is not consulted here: neutral nouns such as شخص take masculine
//     agreement, so a masculine verb after them says nothing about gender.
//  4. Arabic morphology, for captions with no person word at all:
//     a. the first present-tense verb: prefix ت -> Female, ي -> Male (a word of 3+ letters starting
//        with ت/ي, not ending in ة, not a listed noun or preposition such as تحت، يد، يوم);
//     b. the first word as a past-tense verb: suffix ـت -> Female (جلست); the auxiliaries كانت / ليست
//        -> Female, كان / ليس -> Male;
//     c. attached pronouns: more words ending in ـها than in ـه -> Female, fewer -> Male.
//     Taa marbuta ة alone is not used: inanimate nouns carry it too (سيارة، كرة).
//  5. Otherwise Unknown.
#pragma once
#include <string>

#include "core/eval/caption_words.h"

namespace loupe::eval {

enum class Gender { Female, Male, Neutral, Unknown };
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

}  // namespace loupe::eval
