// Where a caption commits to a gender: the image captioned, its first gendered word with a
// one-token counterpart found (study::gendered_step), and the prompt with the caption before that
// word as the input whose last position predicts it. Patching and circuits measure there.
#pragma once
#include <torch/torch.h>

#include <optional>

#include "core/model/caption.h"
#include "core/model/vlm.h"
#include "core/study/gender_tokens.h"
#include "core/text/tokenizer.h"

namespace loupe::study {

struct GenderedPrefix {
  model::Caption caption;                // the unsteered caption
  std::optional<GenderedStep> gendered;  // its first gendered word; empty when it names none with a one-token counterpart
  model::VlmInputs inputs;               // with `gendered`: the prompt and the caption before that word, [1, T + step]
  bool says_female() const { return caption.tokens[gendered->step] == gendered->female_id; }
};

// `prompt` is the captioning prompt of `pixels` [1, 3, S, S] in options.lang.
GenderedPrefix gendered_prefix(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                                              const model::VlmInputs& prompt, const torch::Tensor& pixels,
                                              const model::CaptionOptions& options);

}  // namespace loupe::study
