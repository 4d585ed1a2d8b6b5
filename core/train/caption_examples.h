// Teacher-forced captioning examples for training: one per (train row, language). The input is
// the Gemma 3 captioning prompt in that language followed by the row's caption and <end_of_turn>
// (text::with_answer); the loss is taken on the answer tokens only.
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

#include "core/io/dataset.h"
#include "core/io/hf_config.h"
#include "core/model/vlm.h"
#include "core/text/tokenizer.h"
#include "core/util/language.h"

namespace loupe::train {

constexpr int64_t kIgnoreLabel = -100;  // labels at positions that carry no loss

// The texts the demo tokenizer is built from: every synth caption template in English and Arabic,
// every caption of the dataset, and the two captioning questions.
std::vector<std::string> caption_corpus(const io::Dataset& dataset);

// The rows whose `split` is `split` ("train" for training; every row when the dataset has no split
// column), at most `limit` of them when limit > 0. Throws InputError when none are left.
// `split` in the one vocabulary of io::canonical_split ("eval" is "balanced").
std::vector<io::DatasetRow> rows_in_split(const io::Dataset& dataset, const std::string& split, int64_t limit);

struct CaptionBatch {
  model::VlmInputs inputs;  // input_ids [B, T] right-padded with <pad>, token_type_ids [B, T], pixel_values [B, 3, S, S]
  torch::Tensor labels;     // [B, T] int64: the token that follows position t where it is an answer token, else kIgnoreLabel
  int64_t tokens = 0;       // tokens before padding, summed over the batch
};

// Mean cross-entropy of logits [B, T, vocab] against labels [B, T] over the answer tokens (labels
// other than kIgnoreLabel), in float32.
torch::Tensor caption_loss(const torch::Tensor& logits, const torch::Tensor& labels);

class CaptionExamples {
 public:
  // Reads and preprocesses every row's image (as model::image_pixels does for inference) and
  // tokenizes its English and Arabic examples. Throws IoError / FormatError for unreadable images.
  CaptionExamples(const std::vector<io::DatasetRow>& rows, const text::Tokenizer& tokenizer, const io::ModelConfig& config);

  int64_t size() const { return int64_t(examples_.size()); }
  const torch::Tensor& pixels() const { return pixels_; }  // [rows, 3, S, S], in the order of `rows`
  Language language(int64_t index) const { return examples_.at(size_t(index)).language; }  // the caption's
  // The examples at `indices` (each in [0, size())), right-padded to the longest.
  CaptionBatch batch(const std::vector<int64_t>& indices) const;

 private:
  struct Example {
    int64_t row = 0;
    Language language = Language::English;
    std::vector<int64_t> ids;
    std::vector<int64_t> token_type_ids;
    size_t answer_start = 0;  // index in ids of the first answer token
  };
  torch::Tensor pixels_;  // [rows, 3, S, S] float32
  std::vector<Example> examples_;
  int64_t pad_id_ = 0;
};

}  // namespace loupe::train
