// The gender direction at a hook: mean activation over the woman images minus the mean over the man
// images, averaged over each prompt's image-token positions (every position outside the decoder).
// One function for `loupe direction` and the desktop app's "Add the gender direction".
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

#include "core/jobs/job.h"
#include "core/study/gender_labels.h"
#include "core/model/vlm.h"
#include "core/text/tokenizer.h"
#include "core/util/language.h"

namespace loupe::study {

struct GenderDirectionRequest {
  std::string hook;  // e.g. blocks.0.hook_resid_post
  GenderLabel label = GenderLabel::Caption;
  // The prompt languages whose activations are averaged: one, or both (pooled: each image counts
  // once per language).
  std::vector<Language> langs = {Language::English};
  std::vector<LabeledImage> images;
};

struct GenderDirection {
  torch::Tensor values;  // [d] float32 on the CPU: mean(woman) − mean(man), unnormalised
  int64_t women = 0, men = 0;  // samples in each mean ((image, language) pairs)
  int64_t skipped = 0;         // Caption labels: samples whose caption stated no gender
  std::string description;     // how it was made, one line
};

// Runs each image's captioning prompt (and, for Caption labels, its caption) through the model.
// Throws InputError for an unknown hook or language, or when either group ends up empty;
// loupe::Cancelled when the job is cancelled.
GenderDirection gender_direction(const model::VlmImpl& vlm, const text::Tokenizer& tokenizer,
                                 const GenderDirectionRequest& request, jobs::JobContext& job);

}  // namespace loupe::study
