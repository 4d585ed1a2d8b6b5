#include "core/train/split_report.h"

#include <algorithm>
#include <map>

#include "core/eval/caption_report.h"
#include "core/synth/caption_metrics.h"

namespace loupe::train {

namespace {

// The evaluated images of one language with the dataset's caption of each as the reference.
std::vector<eval::CaptionedImage> captioned_images(const train::SplitEvaluation& evaluation, const io::Dataset& dataset,
                                                   Language language) {
  std::map<std::string, const io::DatasetRow*> rows;
  for (const io::DatasetRow& row : dataset.rows) rows.emplace(row.image, &row);
  std::vector<eval::CaptionedImage> images;
  for (const synth::CaptionRecord& record : evaluation.records) {
    const io::DatasetRow& row = *rows.at(record.image);
    const bool arabic = language == Language::Arabic;
    images.push_back({eval::parse_figure_gender(record.figure, dataset.root + " line " + std::to_string(row.line) + " gender"),
                      record.scene, arabic ? record.ar : record.en, arabic ? row.ar_caption : row.en_caption});
  }
  return images;
}

// Figures per scene for bias amplification: the train split's when the dataset has one, else the
// evaluated split's own. Sets `source` to the split counted.
eval::SceneFigureCounts reference_figures(const io::Dataset& dataset, const std::string& split, std::string& source) {
  const bool has_train = std::any_of(dataset.rows.begin(), dataset.rows.end(),
                                     [](const io::DatasetRow& row) { return row.labels.at("split") == "train"; });
  source = has_train ? "train" : split;
  eval::SceneFigureCounts counts;
  for (const io::DatasetRow& row : dataset.rows)
    if (row.labels.at("split") == source)
      counts[row.labels.at("scene")].add(eval::parse_figure_gender(
          row.labels.at("gender"), dataset.root + " line " + std::to_string(row.line) + " gender"));
  return counts;
}

}  // namespace

nlohmann::json split_report(const SplitEvaluation& evaluation, const io::Dataset& dataset, const std::string& split) {
  nlohmann::json metrics = synth::metrics_json(evaluation.metrics);
  metrics["split"] = split;
  std::string reference;
  const eval::SceneFigureCounts figures = reference_figures(dataset, io::canonical_split(split), reference);
  metrics["bias_reference_split"] = reference;
  for (const Language language : kLanguages) {
    const nlohmann::json report = eval::caption_report_json(captioned_images(evaluation, dataset, language), language, figures);
    for (const char* key : {"bleu", "rouge_l", "bias"}) metrics[language_code(language)][key] = report[key];
  }
  return metrics;
}

}  // namespace loupe::train
