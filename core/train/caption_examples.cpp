#include "core/train/caption_examples.h"

#include <algorithm>

#include "core/error.h"
#include "core/model/inputs.h"
#include "core/synth/captions.h"
#include "core/text/prompt.h"

namespace loupe::train {

std::vector<std::string> caption_corpus(const io::Dataset& dataset) {
  std::vector<std::string> corpus = {text::kCaptionQuestionEnglish, text::kCaptionQuestionArabic};
  for (int s = 0; s < synth::kSubjectCount; ++s)
    for (int a = 0; a < synth::kActivityCount; ++a)
      for (int p = 0; p < synth::kPhrasingCount; ++p)
        for (auto language : {Language::English, Language::Arabic})
          corpus.push_back(synth::caption_text(synth::Subject(s), synth::Activity(a), p, language));
  for (const auto& row : dataset.rows) {
    corpus.push_back(row.en_caption);
    corpus.push_back(row.ar_caption);
  }
  return corpus;
}

std::vector<io::DatasetRow> rows_in_split(const io::Dataset& dataset, const std::string& split_name, int64_t limit) {
  const std::string split = io::canonical_split(split_name);
  const bool has_split =
      std::find(dataset.label_columns.begin(), dataset.label_columns.end(), "split") != dataset.label_columns.end();
  std::vector<io::DatasetRow> rows;
  for (const auto& row : dataset.rows) {
    if (limit > 0 && int64_t(rows.size()) >= limit) break;
    if (!has_split || row.labels.at("split") == split) rows.push_back(row);
  }
  if (rows.empty()) throw InputError(io::no_rows_in_split(dataset, split));
  return rows;
}

torch::Tensor caption_loss(const torch::Tensor& logits, const torch::Tensor& labels) {
  return torch::nn::functional::cross_entropy(logits.reshape({-1, logits.size(-1)}).to(torch::kFloat32),
                                              labels.reshape({-1}).to(logits.device()),
                                              torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kIgnoreLabel));
}

CaptionExamples::CaptionExamples(const std::vector<io::DatasetRow>& rows, const text::Tokenizer& tokenizer,
                                 const io::ModelConfig& config)
    : pad_id_(std::max<int64_t>(config.text.pad_id, 0)) {
  std::vector<torch::Tensor> pixels;  // each [1, 3, S, S]
  const text::Prompt prompts[2] = {text::gemma3_prompt(tokenizer, text::caption_question(Language::English), config.image_tokens),
                                   text::gemma3_prompt(tokenizer, text::caption_question(Language::Arabic), config.image_tokens)};
  for (size_t r = 0; r < rows.size(); ++r) {
    pixels.push_back(model::image_pixels(config, rows[r].image));
    const std::string* captions[2] = {&rows[r].en_caption, &rows[r].ar_caption};
    for (int language = 0; language < 2; ++language) {
      const text::Prompt full = text::with_answer(tokenizer, prompts[language], *captions[language], config.family);
      examples_.push_back({int64_t(r), kLanguages[size_t(language)], full.ids, full.token_type_ids, prompts[language].ids.size()});
    }
  }
  pixels_ = torch::cat(pixels);
}

CaptionBatch CaptionExamples::batch(const std::vector<int64_t>& indices) const {
  const auto batch = int64_t(indices.size());
  size_t longest = 0;
  for (int64_t index : indices) longest = std::max(longest, examples_.at(size_t(index)).ids.size());
  const auto length = int64_t(longest);
  torch::Tensor ids = torch::full({batch, length}, pad_id_, torch::kInt64);          // [B, T]
  torch::Tensor types = torch::zeros({batch, length}, torch::kInt64);                // [B, T]
  torch::Tensor labels = torch::full({batch, length}, kIgnoreLabel, torch::kInt64);  // [B, T]
  std::vector<int64_t> rows;
  CaptionBatch out;
  auto ids_at = ids.accessor<int64_t, 2>();
  auto types_at = types.accessor<int64_t, 2>();
  auto labels_at = labels.accessor<int64_t, 2>();
  for (int64_t b = 0; b < batch; ++b) {
    const Example& example = examples_[size_t(indices[size_t(b)])];
    rows.push_back(example.row);
    for (size_t t = 0; t < example.ids.size(); ++t) {
      ids_at[b][int64_t(t)] = example.ids[t];
      types_at[b][int64_t(t)] = example.token_type_ids[t];
      if (t + 1 >= example.answer_start && t + 1 < example.ids.size()) labels_at[b][int64_t(t)] = example.ids[t + 1];
    }
    out.tokens += int64_t(example.ids.size());
  }
  out.inputs.input_ids = ids;
  out.inputs.token_type_ids = types;
  out.inputs.pixel_values = pixels_.index_select(0, torch::tensor(rows, torch::kInt64));  // [B, 3, S, S]
  out.labels = labels;
  return out;
}

}  // namespace loupe::train
