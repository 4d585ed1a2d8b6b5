// A steering direction read off the unembedding (`loupe direction --workspace W --from unembedding`):
// the residual-stream direction that raises the logits of some words against others,
//   d = gain ⊙ (mean W_U[toward forms] − mean W_U[away forms])
// gain the final RMS norm's per-channel gain (model::rms_gain): adding α·d to the last layer's
// stream x moves that logit difference by about α |d|² / rms(x). A word's forms are its
// tokens with and without SentencePiece's leading ▁, those the vocabulary holds (the caption
// spells "person" ▁person after "a", and an Arabic caption starts with شخص unspaced). Used to
// steer toward a neutral word: `--toward person --away woman,man`.
#pragma once

#include <string>
#include <vector>

#include "core/model/vlm.h"
#include "core/study/store_directions.h"
#include "core/text/tokenizer.h"

namespace loupe::study {

struct UnembeddingDirectionRequest {
  std::vector<std::string> toward, away;  // words, each one token of the vocabulary in some form
  std::string hook;                       // where it is meant to be added; empty: the last layer's hook_resid_post
};

// Throws InputError for an empty word list, a word with no one-token form, a token on both sides,
// a hook that is not a decoder hook of the residual width, or a decoder whose final norm is not an
// RMS norm.
StoreDirection unembedding_direction(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                                     const UnembeddingDirectionRequest& request);

}  // namespace loupe::study
