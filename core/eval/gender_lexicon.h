// The word lists behind gender inference (gender.h) and how a caption word is looked up in them.
//
// English words are matched as caption_words gives them, and a contraction by the part before its
// apostrophe ("she'll" -> she).
//
// An Arabic word is tried in these readings, the first one in a list winning:
//  1. the word itself;
//  2. without its proclitics: the conjunction و/ف, then the preposition ب/ك/ل (لل = ل + ال), each
//     only when at least 3 letters remain (so باب "door" is not ب + اب "father", nor وجد "found"
//     و + جد "grandfather"; the two-letter nouns and pronouns are listed with و: وأم، وهي); then
//     without the article ال (at least 2 letters left: الأم);
//  3. each of those without an attached pronoun هما/هم/هن/ها/ه (at least 2 letters left), a stem
//     ending in ت read with ة as well (زوجته -> زوجة, ابنتها -> ابنة);
//  4. a final ه read as a misspelt taa marbuta ة (امراه -> امرأة), after 3 so that ابنه stays
//     "his son".
// Every reading and every entry is compared with a final alif maqsura ى written ي (فتى = فتي,
// هى = هي) and the Persian yeh ی and keheh ک written ي and ك.
//
// Arabic agent nouns (معلم، طالب، لاعب...) are listed once, as a masculine stem, and give:
// the stem, its accusative ـا and its dual ـان -> Male; ـة, ـات, ـتان, ـتين -> Female; the sound
// masculine plural ـون/ـين -> Neutral (Arabic uses it for mixed groups too, as English "players").
// Explicit entries win over these forms (زوجان "a couple" is Neutral, not the dual of زوج).
#pragma once
#include <optional>
#include <string>

#include "core/util/language.h"

namespace loupe::eval {

enum class Gender { Female, Male, Neutral, Unknown };

// Female, Male or Neutral for a person noun or gendered adjective (woman, men, person; امرأة،
// رجال، شخص...); nullopt for any other word.
std::optional<Gender> person_noun_gender(const std::string& word, Language language);

// Female or Male for a personal pronoun or possessive (she, his; هي، هو، هن); nullopt otherwise.
std::optional<Gender> pronoun_gender(const std::string& word, Language language);

// Arabic words of 3+ letters that start with ت/ي or end in ت/ه/ها without being a verb or an
// attached person pronoun: nouns (تحت، يد، بيت، وجه، سيارات), and prepositions carrying a pronoun
// that stands for a thing as often as a person (عليها "on it", فيه "in it").
bool is_arabic_lookalike(const std::string& word);

// Arabic verbs that describe the picture rather than a person in it (تظهر "shows", يوجد "there is",
// تبدو "seems"): their subject is the image or an object, so their ت/ي prefix says nothing.
bool is_arabic_picture_verb(const std::string& word);

}  // namespace loupe::eval
