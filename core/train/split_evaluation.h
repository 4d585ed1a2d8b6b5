// Captions one split of a synth dataset in English and Arabic with a model (greedy, several
// images per generate call) and scores the captions (synth::score_captions).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/synth/caption_metrics.h"
#include "core/io/dataset.h"
#include "core/model/vlm.h"
#include "core/text/tokenizer.h"

namespace loupe::train {

struct SplitEvaluationOptions {
  std::string split = "balanced";  // train, balanced (or its alias eval), counter
  int64_t limit = 0;               // >0: the split's first this many rows only
  int64_t batch = 32;              // images per generate call
  int64_t max_new_tokens = 24;
  // When set, called before each language's captions with the prompt's token types [1, T] (every
  // image's prompt has the same) to add hook operations: a steering or ablation set.
  std::function<void(Language lang, const torch::Tensor& prompt_token_types, model::HookSet& hooks)> intervention;
};

struct SplitEvaluation {
  std::vector<synth::CaptionRecord> records;
  synth::CaptionMetrics metrics;
};

// The rows of the split `label` (canonical name), the first `limit` when limit > 0. Throws
// InputError for a dataset without the synth label columns or a split with no rows.
std::vector<const io::DatasetRow*> split_rows(const io::Dataset& dataset, const std::string& label, int64_t limit);

// Throws InputError for an unknown split name, a dataset without the synth label columns
// (gender, scene, activity, split), or a split with no rows. The job counts one item per image and
// may cancel between batches (loupe::Cancelled).
SplitEvaluation evaluate_split(const model::VlmImpl& model, const text::Tokenizer& tokenizer, const io::Dataset& dataset,
                               const SplitEvaluationOptions& options, jobs::JobContext& job);

}  // namespace loupe::train
