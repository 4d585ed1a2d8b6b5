// Captioning as a study action (`loupe caption`): images in one language, optionally steered,
// optionally with every token's choices (the desktop app's caption chips).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/jobs/job.h"
#include "core/model/lora.h"
#include "core/model/vlm.h"
#include "core/study/caption_types.h"
#include "core/study/steering.h"
#include "core/text/tokenizer.h"

namespace loupe::study {

struct CaptionRequest {
  std::vector<std::string> images;  // image files, captioned in one batch (one at a time with choices)
  Language lang = Language::English;
  int64_t max_new_tokens = 32;
  std::vector<Steer> steers;        // placed by the captioning prompt's token types
  bool choices = false;             // keep each token's logit, probability and the 5 likeliest tokens
  std::shared_ptr<const model::LoraAdapter> adapter;  // a LoRA adapter for this run (null: the base weights)
};

struct CaptionedImage {
  std::string image;
  std::string text;
  std::vector<int64_t> tokens;     // generated ids, the end token included when reached
  std::vector<TokenChip> choices;  // per token, when asked for
};

// Throws InputError when there are no images or one cannot be read; loupe::Cancelled when the job
// is cancelled. The job counts one item per image.
std::vector<CaptionedImage> caption(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                                    const CaptionRequest& request, jobs::JobContext& job);

}  // namespace loupe::study
