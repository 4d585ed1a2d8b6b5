#include "core/train/split_evaluation.h"

#include <algorithm>

#include "core/error.h"
#include "core/model/caption.h"
#include "core/model/inputs.h"
#include "core/text/prompt.h"

namespace loupe::train {

std::vector<const io::DatasetRow*> split_rows(const io::Dataset& dataset, const std::string& label, int64_t limit) {
  for (const char* column : {"gender", "scene", "activity", "split"})
    if (std::find(dataset.label_columns.begin(), dataset.label_columns.end(), column) == dataset.label_columns.end())
      throw InputError(dataset.root + " has no `" + std::string(column) +
                       "` column; evaluation needs a dataset made by `loupe synth`");
  std::vector<const io::DatasetRow*> rows;
  for (const auto& row : dataset.rows)
    if (row.labels.at("split") == label && (limit <= 0 || int64_t(rows.size()) < limit)) rows.push_back(&row);
  if (rows.empty()) throw InputError(io::no_rows_in_split(dataset, label));
  return rows;
}

SplitEvaluation evaluate_split(const model::VlmImpl& model, const text::Tokenizer& tokenizer, const io::Dataset& dataset,
                               const SplitEvaluationOptions& options, jobs::JobContext& job) {
  if (options.batch < 1) throw InputError("the evaluation batch must hold at least one image");
  const std::vector<const io::DatasetRow*> rows = split_rows(dataset, io::canonical_split(options.split), options.limit);
  SplitEvaluation evaluation;
  model::Session session;
  job.set_stage("captioning the " + options.split + " split");
  job.restart_count(int64_t(rows.size()));
  for (size_t first = 0; first < rows.size(); first += size_t(options.batch)) {
    const size_t count = std::min(rows.size() - first, size_t(options.batch));
    std::vector<torch::Tensor> pixels;  // each [1, 3, S, S]
    for (size_t i = first; i < first + count; ++i) pixels.push_back(model::image_pixels(model.config, rows[i]->image));
    const torch::Tensor batch = torch::cat(pixels);  // [N, 3, S, S]
    model::CaptionOptions caption_options;
    caption_options.max_new_tokens = options.max_new_tokens;
    caption_options.job = &job;
    const auto caption_in = [&](Language lang) {
      caption_options.lang = lang;
      session.hooks.clear();
      if (options.intervention) {
        const model::VlmInputs prompt = model::caption_prompt(model, tokenizer, text::caption_question(lang), pixels.front());
        options.intervention(lang, prompt.token_type_ids, session.hooks);
      }
      return model::caption_images(model, tokenizer, batch, caption_options, session);
    };
    const auto english = caption_in(Language::English);
    const auto arabic = caption_in(Language::Arabic);
    for (size_t i = 0; i < count; ++i) {
      const io::DatasetRow& row = *rows[first + i];
      evaluation.records.push_back({row.image, row.labels.at("gender"), row.labels.at("scene"), row.labels.at("activity"),
                                    english[i].text, arabic[i].text});
    }
    job.advance(int64_t(count));
  }
  evaluation.metrics = synth::score_captions(evaluation.records);
  return evaluation;
}

}  // namespace loupe::train
