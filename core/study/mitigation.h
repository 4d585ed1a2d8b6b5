// `loupe mitigate`: a synth split captioned twice, as the model is and with an intervention set
// (steers and ablations, core/study/steering_set.h), and per
// language what changed: misgendering on stereotypical and counter-stereotypical figures, gender
// stated for neutral figures, the caption bias measures, BLEU and ROUGE-L against the dataset's
// captions, the share of captions changed, and McNemar's exact test of the images whose gender error
// came or went.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/io/dataset.h"
#include "core/jobs/job.h"
#include "core/model/lora.h"
#include "core/model/vlm.h"
#include "core/study/steering_set.h"
#include "core/text/tokenizer.h"
#include "core/train/split_evaluation.h"

namespace loupe::study {

struct MitigationRequest {
  InterventionSet set;  // steers and ablations, applied together to every caption of the second run
  std::shared_ptr<const model::LoraAdapter> adapter;  // a LoRA adapter for the second run too (may be null)
  std::string adapter_folder;                         // where it was read from, for the output
  train::SplitEvaluationOptions evaluation;  // split, limit, batch, max_new_tokens (its intervention is set here)
};

// {"split", "images", "set": [steer words], "ablations": [set entries], "adapter": folder or null, "en": {...},
// "ar": {...}}, each language
// {"baseline": figures, "intervened": figures, "changed": share of captions that differ,
//  "error_flips": {"fixed": b, "introduced": c, "mcnemar_p": p},
//  "gender_changes": synth::gender_changes_json (right / wrong / no gender word, before → after)},
// and "captions": one {image, figure,
// en, en_intervened, ar, ar_intervened} per image, with figures = {misgendered_counter,
// misgendered_stereo, gendered_neutral (error rates), bleu, rouge_l, bias (eval-captions' bias
// measures)}. Throws InputError before captioning for an empty set without an adapter, a steer or
// ablation the model refuses, or a split the dataset lacks. A head mean ablation averages over the split's images.
nlohmann::ordered_json mitigate(const model::VlmImpl& model, const text::Tokenizer& tokenizer, const io::Dataset& dataset,
                                const MitigationRequest& request, jobs::JobContext& job);

}  // namespace loupe::study
