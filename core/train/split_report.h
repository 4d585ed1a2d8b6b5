// What `loupe eval-captions` and `loupe mitigate` report of a captioned synth split: the caption
// metrics (synth::metrics_json), and per language BLEU and ROUGE-L against the dataset's captions
// and the caption bias measures (eval::caption_report_json), with the reference split for bias
// amplification (the train split when the dataset has one, else the split itself).
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "core/io/dataset.h"
#include "core/train/split_evaluation.h"

namespace loupe::train {

// metrics_json(...) plus split, bias_reference_split, and en / ar: bleu, rouge_l, bias.
nlohmann::json split_report(const SplitEvaluation& evaluation, const io::Dataset& dataset, const std::string& split);

}  // namespace loupe::train
