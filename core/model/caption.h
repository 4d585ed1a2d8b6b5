// Captioning: the family's captioning prompt for each image, greedy generation to the end token,
// decoded text. Several images share one batched generate call (their prompts have one length).
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

#include "core/model/generate.h"
#include "core/text/tokenizer.h"
#include "core/util/language.h"

namespace loupe::model {

struct Caption {
  std::string text;             // decoded, special tokens dropped
  std::vector<int64_t> tokens;  // generated ids, the end token included when reached
};

struct CaptionOptions {
  Language lang = Language::English;  // the captioning question's language
  int64_t max_new_tokens = 32;
  const jobs::JobContext* job = nullptr;  // the job it runs in, if any: honours its cancel request
};

// pixels [N, 3, S, S] → one caption per image. `session` carries any interventions (its hooks).
std::vector<Caption> caption_images(const VlmImpl& model, const text::Tokenizer& tokenizer, const torch::Tensor& pixels,
                                    const CaptionOptions& options, Session& session);

}  // namespace loupe::model
