// Gender inference from English and Arabic captions, and the Arabic subject-verb agreement checker.
#include "core/eval/gender.h"

#include <catch2/catch.hpp>

#include "core/eval/caption_words.h"

using namespace loupe::eval;
using loupe::Language;
using loupe::language_code;
using Words = std::vector<std::string>;

namespace {
void check_inference(const std::string& caption, Language language, Gender gender, GenderCue cue) {
  INFO(caption);
  const GenderInference inference = infer_gender(caption, language);
  CHECK(gender_name(inference.gender) == std::string(gender_name(gender)));
  CHECK(gender_cue_name(inference.cue) == std::string(gender_cue_name(cue)));
}
}  // namespace

TEST_CASE("caption words: lower case, no punctuation, normalised Arabic", "[eval][gender]") {
  CHECK(caption_words("A Woman's bag, isn't it?") == Words{"a", "woman", "bag", "isn't", "it"});
  CHECK(caption_words("  two\tmen—riding…  ") == Words{"two", "men", "riding"});
  CHECK(caption_words("امْرَأَةٌ تَطْبُخُ، في المطبخ.") == Words{"امراة", "تطبخ", "في", "المطبخ"});
  CHECK(caption_words("رجـــل؟ «إطار» آلة") == Words{"رجل", "اطار", "الة"});
  CHECK(caption_words("bad\xff\xfe"
                      "byte") == Words{"bad", "byte"});
  CHECK(contains_arabic("a man رجل"));
  CHECK_FALSE(contains_arabic("a man"));
  CHECK(std::string(language_code(Language::Arabic)) == "ar");
}

TEST_CASE("English gender from nouns, then pronouns, then neutral nouns", "[eval][gender]") {
  const Language en = Language::English;
  check_inference("A woman is cooking in the kitchen.", en, Gender::Female, GenderCue::Noun);
  check_inference("Two MEN repairing a car", en, Gender::Male, GenderCue::Noun);
  check_inference("the girl's kite is red", en, Gender::Female, GenderCue::Noun);
  check_inference("a female doctor reading", en, Gender::Female, GenderCue::Noun);
  check_inference("a businessman with his phone", en, Gender::Male, GenderCue::Noun);
  check_inference("a man and a woman walking", en, Gender::Unknown, GenderCue::Noun);
  check_inference("a man holding her bag", en, Gender::Male, GenderCue::Noun);  // nouns before pronouns
  check_inference("someone riding her bike", en, Gender::Female, GenderCue::Pronoun);
  check_inference("he is reading a book", en, Gender::Male, GenderCue::Pronoun);
  check_inference("a child playing football", en, Gender::Neutral, GenderCue::NeutralNoun);
  check_inference("a person walking their dog in the park", en, Gender::Neutral, GenderCue::NeutralNoun);
  check_inference("a red car parked on the street", en, Gender::Unknown, GenderCue::None);
  CHECK(infer_gender("Two MEN repairing a car", en).word == "men");
}

TEST_CASE("Arabic gender from nouns (with clitics), pronouns and neutral nouns", "[eval][gender]") {
  const Language ar = Language::Arabic;
  check_inference("امرأة تطبخ في المطبخ", ar, Gender::Female, GenderCue::Noun);
  check_inference("الرجل يقرأ كتابا", ar, Gender::Male, GenderCue::Noun);
  check_inference("فتاة صغيرة في الحديقة", ar, Gender::Female, GenderCue::Noun);
  check_inference("والمرأة تمشي في الشارع", ar, Gender::Female, GenderCue::Noun);
  check_inference("سيارة للرجل في المرآب", ar, Gender::Male, GenderCue::Noun);
  check_inference("امْرَأَةٌ تَطْبُخُ", ar, Gender::Female, GenderCue::Noun);
  check_inference("أمرأة تقرأ", ar, Gender::Female, GenderCue::Noun);  // hamza spelling variant
  check_inference("رجل وامرأة في الحديقة", ar, Gender::Unknown, GenderCue::Noun);
  check_inference("هي تقرأ كتابا", ar, Gender::Female, GenderCue::Pronoun);
  check_inference("هو في المكتب", ar, Gender::Male, GenderCue::Pronoun);
  // شخص takes masculine agreement: the ي-verb does not make the caption male.
  check_inference("شخص يطبخ في المطبخ", ar, Gender::Neutral, GenderCue::NeutralNoun);
  check_inference("طفل يلعب كرة القدم", ar, Gender::Neutral, GenderCue::NeutralNoun);
}

TEST_CASE("Arabic gender from morphology when no person word is present", "[eval][gender]") {
  const Language ar = Language::Arabic;
  check_inference("تطبخ في المطبخ", ar, Gender::Female, GenderCue::VerbPrefix);
  check_inference("يلعب كرة القدم في الحديقة", ar, Gender::Male, GenderCue::VerbPrefix);
  check_inference("تحت الشجرة تقرأ كتابا", ar, Gender::Female, GenderCue::VerbPrefix);  // تحت is no verb
  check_inference("وتغسل الصحون", ar, Gender::Female, GenderCue::VerbPrefix);
  check_inference("جلست على الكرسي", ar, Gender::Female, GenderCue::PastSuffix);
  check_inference("كان في الحديقة", ar, Gender::Male, GenderCue::PastSuffix);
  check_inference("في الحديقة مع كلبها", ar, Gender::Female, GenderCue::PronounSuffix);
  check_inference("في المطبخ مع كلبه", ar, Gender::Male, GenderCue::PronounSuffix);
  check_inference("سيارة حمراء في المرآب", ar, Gender::Unknown, GenderCue::None);  // ة alone is no cue
  CHECK(infer_gender("تحت الشجرة تقرأ كتابا", ar).word == "تقرا");
}

TEST_CASE("Arabic subject-verb agreement", "[eval][gender]") {
  struct Case {
    const char* caption;
    Gender subject, verb;
    bool agrees;
  };
  const Case cases[] = {
      {"امرأة تطبخ في المطبخ", Gender::Female, Gender::Female, true},
      {"رجل يصلح سيارة في المرآب", Gender::Male, Gender::Male, true},
      {"شخص يقرأ كتابا في الفصل", Gender::Neutral, Gender::Male, true},
      {"تغسل امرأة الصحون في المطبخ", Gender::Female, Gender::Female, true},  // verb-subject order
      {"هناك رجل يدق مسمارا في الورشة", Gender::Male, Gender::Male, true},
      {"الفتاة تلعب كرة القدم", Gender::Female, Gender::Female, true},
      {"الولد يكتب على الحاسوب", Gender::Male, Gender::Male, true},
      {"امرأة يطبخ في المطبخ", Gender::Female, Gender::Male, false},
      {"رجل تصلح سيارة", Gender::Male, Gender::Female, false},
      {"شخص تقرأ كتابا", Gender::Neutral, Gender::Female, false},
      {"يغسل امرأة الصحون", Gender::Female, Gender::Male, false},
      {"امرأة في المطبخ", Gender::Female, Gender::Unknown, false},
      {"في المطبخ", Gender::Unknown, Gender::Unknown, false},
  };
  for (const Case& c : cases) {
    INFO(c.caption);
    const AgreementCheck check = check_arabic_agreement(c.caption);
    CHECK(gender_name(check.subject) == std::string(gender_name(c.subject)));
    CHECK(gender_name(check.verb) == std::string(gender_name(c.verb)));
    CHECK(check.agrees == c.agrees);
  }
  const AgreementCheck words = check_arabic_agreement("تغسل امرأة الصحون");
  CHECK(words.subject_word == "امراة");
  CHECK(words.verb_word == "تغسل");
}
