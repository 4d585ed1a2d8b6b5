// Counterfactual gender swapping of a caption: every gendered word is rewritten to the other gender,
// the rest of the text (spacing, punctuation, other words) kept byte for byte. A caption is either
// swapped completely or returned unchanged with the reason in `problem`.
//
// English (words are runs of letters and digits; a hyphenated compound such as "man-made" is one
// word and is not swapped):
//  - noun pairs, both ways: woman/man, girl/boy, lady/gentleman, female/male, mother/father, mom/dad,
//    daughter/son, sister/brother, wife/husband, aunt/uncle, niece/nephew, grandmother/grandfather,
//    grandma/grandpa, bride/groom, queen/king, princess/prince, actress/actor, waitress/waiter,
//    girlfriend/boyfriend, policewoman/policeman, mrs/mr, madam/sir... and their plurals; mum -> dad
//    one way;
//  - pronouns: she/he, herself/himself, him -> her, hers -> his;
//    her -> his when the next word (after spaces only) is noun-like, i.e. not a preposition,
//    determiner, conjunction, pronoun or adverb of a fixed list; -> him before such a word,
//    punctuation or the end. Before a word ending in "ing" "her" is ambiguous (a problem: "watching
//    her dancing"), unless the word is a listed noun (wedding, ring, painting...);
//    his -> her before a noun-like word, -> hers otherwise ("the dog is his.");
//  - case follows the original word: woman -> man, Woman -> Man, WOMAN -> MAN; an apostrophe and
//    what follows ("woman's", "she'll") are kept.
//
// Arabic (a word is a run of letters and diacritics; matching ignores diacritics and tatweel, reads
// أ إ ٱ as ا and ى as ي, but keeps آ so that المرآة "the mirror" is not المرأة):
//  - nouns: امرأة/رجل, فتاة/فتى, بنت/ولد, أم/أب, زوجة/زوج, أخت/أخ, سيدة/سيد, ابنة/ابن, جدة/جد, عمة/عم,
//    خالة/خال, عروس/عريس, ملكة/ملك, والدة/والد, أنثى/ذكر, the agent nouns of gender_lexicon with
//    ة / without (معلمة/معلم, طالبة/طالب...), طفلة -> طفل one way, and the plurals نساء/رجال,
//    فتيات/فتيان, بنات/أولاد; each also with the article (المرأة/الرجل), behind و/ف and ب/ك/ل
//    (للمرأة، وللرجل), and singular ones with an attached ـها/ـه (زوجها <-> زوجته, ابنه <-> ابنتها,
//    أمه <-> أبوها: أب and أخ take the nominative و before the pronoun). Accusative and dual forms
//    (رجلا، امرأتان) are not rewritten (a problem). A rewritten noun loses its diacritics;
//  - independent pronouns هي/هو, هن/هم (also with و/ف), and demonstratives right before a noun
//    هذه/هذا, تلك/ذلك;
//  - agreement, only at these positions of a swapped noun or pronoun (a word is rewritten once, by
//    the first noun that reaches it, so "رجل يساعد امرأة" keeps يساعد for رجل):
//    a. adjectives right after a singular noun (chained), of a fixed list of common adjectives
//       (طويل، جميل، شاب، مسن...), agreeing in definiteness: ة (feminine) <-> none (masculine);
//       the diacritics of ة move to the letter before it and back;
//    b. the verb right after the noun (after its adjectives) and the verb right before it:
//       present tense ت (feminine) <-> ي (masculine), the prefix after an optional و/ف, keeping
//       its diacritics (a present verb: 3+ letters from the prefix, not ending in ة, not a noun of
//       gender_lexicon's lookalike or person lists, not a verbal noun تفعيل); past tense from a
//       list of common verbs: ـت <-> none (جلست/جلس, مشت/مشى, كانت/كان). A verb only changes
//       when it agrees with the noun before the swap, and a dual or plural ending (يلعبان،
//       يلعبون) does not agree with a singular noun. After a plural noun
//       the verb after it takes the plural endings ن <-> ون (يطبخن/يطبخون) and ن <-> وا (past);
//    c. coordinated verbs after those: a verb with و/ف attached, or after a separate و or ثم,
//       up to the next person noun;
//    d. pronoun suffixes on every later word: ـها <-> ـه, ـهن <-> ـهم, except on words with the
//       article (never possessive) and on lookalikes (وجه، مياه، الله). A suffix on a preposition
//       (عليها، فيه، معه) or on a verb (يحملها) may stand for a thing, and ـه after a neutral
//       person noun (شخص، طفل) for that person: those are problems ("ambiguous: ...").
//  Problems also: a word gender_lexicon calls female or male that no rule rewrites ("no
//  counterpart for ..."); after a feminine noun, a word ending in ت that is not a listed verb (an
//  unknown past-tense verb); the compounds رجل أعمال، رجل شرطة...
//
// Both languages: no gendered word -> problem "no gendered word"; words of both genders ("a man and
// a woman") are all swapped, which is the counterfactual caption.
#pragma once
#include <cstdint>
#include <string>

#include "core/util/language.h"

namespace loupe::eval {

struct GenderSwap {
  std::string text;     // the caption with its gender swapped; the caption itself when `problem` is set
  int64_t changed = 0;  // words rewritten
  std::string problem;  // empty when swapped cleanly; else why it could not be swapped
};

GenderSwap swap_gender(const std::string& caption, Language language);

}  // namespace loupe::eval
