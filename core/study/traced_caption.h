// Captioning one image while keeping what the model chose at every step: the chosen token's logit
// and probability and the five likeliest tokens. The desktop app's caption chips and
// `loupe caption --choices` both come from here.
#pragma once
#include <torch/torch.h>

#include "core/jobs/job.h"
#include "core/model/vlm.h"
#include "core/study/caption_types.h"
#include "core/text/tokenizer.h"

namespace loupe::study {

struct TracedCaption {
  CaptionText caption;
  torch::Tensor token_types;  // [1, T] of the prompt (core/text/token_type.h)
  int64_t prompt_length = 0;
};

// pixels [1, 3, S, S]. Greedy, to the model's end token or max_new_tokens. `session` carries the
// interventions and captures (its hooks); it is reset first. Throws loupe::Cancelled when `job`
// (may be null) is cancelled.
TracedCaption trace_caption(const model::VlmImpl& model, const text::Tokenizer& tokenizer, const torch::Tensor& pixels,
                            Language lang, int64_t max_new_tokens, model::Session& session,
                            const jobs::JobContext* job = nullptr);

}  // namespace loupe::study
