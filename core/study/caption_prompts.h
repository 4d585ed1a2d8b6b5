// The loop every per-image study action runs: each image in each language with its captioning
// prompt (ablation, mean head outputs, the logit lens).
#pragma once
#include <torch/torch.h>

#include <functional>
#include <vector>

#include "core/jobs/job.h"
#include "core/model/inputs.h"
#include "core/model/vlm.h"
#include "core/study/dataset_image.h"
#include "core/text/tokenizer.h"
#include "core/util/language.h"

namespace loupe::study {

using PromptVisitor = std::function<void(const DatasetImage& image, Language lang, const torch::Tensor& pixels,
                                         const model::VlmInputs& prompt)>;

// Calls visit(image, lang, pixels [1, 3, S, S], the captioning prompt) for every image and each
// language. With a job: counts the images from 0 (JobContext::restart_count), advances after each
// image, and throws loupe::Cancelled between prompts when asked to stop.
void for_each_caption_prompt(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                             const std::vector<DatasetImage>& images, const std::vector<Language>& langs,
                             jobs::JobContext* job, const PromptVisitor& visit);

}  // namespace loupe::study
