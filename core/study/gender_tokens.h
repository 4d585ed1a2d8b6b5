// The gender logit difference of a caption: at the first generated token that is a gendered word
// with a one-token counterpart in the model's own vocabulary (woman / man, امرأة / رجل, ...), the
// logit of the female word minus that of the male word. Ablations and patching measure how an
// intervention moves it.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "core/text/tokenizer.h"
#include "core/util/language.h"

namespace loupe::study {

struct GenderedStep {
  size_t step = 0;        // index into the caption's generated tokens
  int64_t female_id = 0;  // the word's female form and male form, as the caption spells it
  int64_t male_id = 0;    // (with or without SentencePiece's leading ▁)
};

// The first gendered step of `tokens` (generated ids) in `lang`; empty when no token is one of the
// word pairs, or its counterpart is not one token of this vocabulary.
std::optional<GenderedStep> gendered_step(const text::Tokenizer& tokenizer, const std::vector<int64_t>& tokens, Language lang);

}  // namespace loupe::study
