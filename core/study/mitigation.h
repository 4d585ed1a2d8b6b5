// `loupe mitigate`: a synth split captioned twice, as the model is and with a steering set, and per
// language what changed: misgendering on stereotypical and counter-stereotypical figures, gender
// stated for neutral figures, the caption bias measures, BLEU and ROUGE-L against the dataset's
// captions, the share of captions changed, and McNemar's exact test of the images whose gender error
// came or went.
#pragma once
#include <vector>

#include <nlohmann/json.hpp>

#include "core/io/dataset.h"
#include "core/jobs/job.h"
#include "core/model/vlm.h"
#include "core/study/steer_positions.h"
#include "core/text/tokenizer.h"
#include "core/train/split_evaluation.h"

namespace loupe::study {

struct MitigationRequest {
  std::vector<SteerSpec> set;            // the steering set, applied to every caption of the second run
  train::SplitEvaluationOptions evaluation;  // split, limit, batch, max_new_tokens (its intervention is set here)
};

// {"split", "images", "set": [steer words], "en": {...}, "ar": {...}}, each language
// {"baseline": figures, "intervened": figures, "changed": share of captions that differ,
//  "error_flips": {"fixed": b, "introduced": c, "mcnemar_p": p}}, with figures = {misgendered_counter,
// misgendered_stereo, gendered_neutral (error rates), bleu, rouge_l, bias (eval-captions' bias
// measures)}. Throws InputError before captioning for an empty set, a steer the model refuses, or a
// split the dataset lacks.
nlohmann::ordered_json mitigate(const model::VlmImpl& model, const text::Tokenizer& tokenizer, const io::Dataset& dataset,
                                const MitigationRequest& request, jobs::JobContext& job);

}  // namespace loupe::study
