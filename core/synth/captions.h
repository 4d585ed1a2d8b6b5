// Caption templates for the synthetic data, in English and Arabic, and their inverse.
//
// English: "a woman is cooking in the kitchen" / "there is a woman cooking in the kitchen" /
//          "a woman cooking in the kitchen" (lower case, no final period).
// Arabic:  "امرأة تطبخ في المطبخ" (subject-verb) / "هناك امرأة تطبخ في المطبخ" (there is) /
//          "تطبخ امرأة في المطبخ" (verb-subject), no diacritics.
// Agreement: امرأة takes the feminine verb prefix ت and pronoun suffix ـها; رجل and شخص (grammatically
// masculine) take ي and ـه. English possessives follow the subject: her / his / their.
#pragma once
#include <optional>
#include <string>

#include "core/eval/caption_words.h"
#include "core/synth/world.h"

namespace loupe::synth {

constexpr int kPhrasingCount = 3;  // phrasing p in English pairs with phrasing p in Arabic

std::string caption_text(Subject subject, Activity activity, int phrasing, Language language);

struct ParsedCaption {
  std::optional<Subject> subject;    // first subject word (woman/man/person), if any
  std::optional<Activity> activity;  // an activity phrase in any gender form, if any
  std::optional<Scene> scene;        // a scene word, if any
  bool exact = false;  // word for word one of the templates (case, punctuation, spacing, diacritics ignored)
};

// Inverts caption_text for every subject, activity and phrasing; other text is read word by word.
ParsedCaption parse_caption(const std::string& text, Language language);

}  // namespace loupe::synth
