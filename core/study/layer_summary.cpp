#include "core/study/layer_summary.h"

#include <algorithm>

#include "core/analysis/feature_summary.h"
#include "core/error.h"
#include "core/io/hf_config.h"
#include "core/model/hook_names.h"
#include "core/util/optional_cell.h"
#include "core/study/analyze_features.h"
#include "core/workspace/saes.h"
#include "core/workspace/workspace.h"

namespace loupe::study {

namespace {

using util::Cell;
using util::ColumnType;
using util::optional_cell;

std::optional<double> difference(const std::optional<double>& en, const std::optional<double>& ar) {
  if (en && ar) return *en - *ar;
  return std::nullopt;
}

struct SummaryRow {
  int64_t layer = -1;
  std::string sae;
  std::vector<Cell> cells;
};

SummaryRow row_of(const std::string& sae, const std::string& store, const analysis::FeatureAnalysis& analysis,
                  const io::ModelConfig& config) {
  const analysis::FeatureSummary summary = analysis::summarize(analysis);
  std::array<std::optional<int64_t>, 2> rank;
  std::array<std::optional<double>, 2> information;
  for (size_t l = 0; l < 2; ++l)
    if (analysis.code_rank[l]) {
      rank[l] = analysis.code_rank[l]->components_95;
      information[l] = analysis.code_rank[l]->information_content;
    }
  const std::optional<int64_t> rank_difference =
      rank[0] && rank[1] ? std::optional<int64_t>(*rank[0] - *rank[1]) : std::nullopt;
  SummaryRow row;
  row.layer = model::parse_hook(analysis.hook, config).layer;
  row.sae = sae;
  row.cells = {sae, store, analysis.hook, row.layer, int64_t(summary.latents),
               analysis.vectors_by_language[0], analysis.vectors_by_language[1],
               optional_cell(summary.l0[0]), optional_cell(summary.l0[1]),
               optional_cell(summary.dead_by_language[0]), optional_cell(summary.dead_by_language[1]),
               optional_cell(summary.mean_activation[0]), optional_cell(summary.mean_activation[1]),
               optional_cell(rank[0]), optional_cell(rank[1]), optional_cell(rank_difference),
               optional_cell(information[0]), optional_cell(information[1]), optional_cell(difference(information[0], information[1])),
               summary.active_both, summary.aligned, optional_cell(summary.alignment_ratio),
               optional_cell(summary.aligned_similarity), optional_cell(summary.gender_bias_correlation)};
  return row;
}

util::Table summary_table() {
  std::vector<util::Column> columns = {{"sae", ColumnType::Text}, {"store", ColumnType::Text}, {"hook", ColumnType::Text}};
  for (const char* name : {"layer", "latents", "vectors_en", "vectors_ar"}) columns.push_back({name, ColumnType::Integer});
  for (const char* name : {"l0_en", "l0_ar"}) columns.push_back({name, ColumnType::Real});
  for (const char* name : {"dead_en", "dead_ar"}) columns.push_back({name, ColumnType::Integer});
  for (const char* name : {"mean_activation_en", "mean_activation_ar"}) columns.push_back({name, ColumnType::Real});
  for (const char* name : {"rank_en", "rank_ar", "rank_difference"}) columns.push_back({name, ColumnType::Integer});
  for (const char* name : {"information_en", "information_ar", "information_difference"})
    columns.push_back({name, ColumnType::Real});
  for (const char* name : {"active_both", "aligned"}) columns.push_back({name, ColumnType::Integer});
  for (const char* name : {"alignment_ratio", "aligned_similarity", "gender_bias_correlation"})
    columns.push_back({name, ColumnType::Real});
  return util::Table(columns);
}

}  // namespace

util::Table layer_summary(const LayerSummaryRequest& request, jobs::JobContext& job) {
  const workspace::Workspace space = workspace::Workspace::open(request.workspace);
  const std::vector<std::string> saes = workspace::sae_names(space.root() / "saes");
  if (saes.empty())
    throw InputError("the workspace " + space.root().string() + " holds no SAE (train one with loupe train-sae)");
  // Every SAE's names and store are checked before any is analysed.
  std::vector<PreparedFeatureAnalysis> prepared;
  for (const std::string& sae : saes) {
    FeatureAnalysisRequest one;
    one.workspace = request.workspace;
    one.sae = sae;
    one.grouping = request.grouping;
    one.split = request.split;
    one.align_threshold = request.align_threshold;
    one.device = request.device;
    one.logit_effects = false;
    one.code_rank = true;
    prepared.push_back(prepare_feature_analysis(one));
  }
  const io::ModelConfig config = io::read_model_config(space.model().string());
  std::vector<SummaryRow> rows;
  for (const PreparedFeatureAnalysis& one : prepared) {
    job.set_stage("SAE " + one.request.sae);
    try {
      const AnalyzedFeatures analyzed = analyze_prepared(one, job);
      rows.push_back(row_of(one.request.sae, one.request.store, analyzed.analysis, config));
    } catch (const InputError& error) {
      throw InputError("SAE " + one.request.sae + ": " + error.what());
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const SummaryRow& a, const SummaryRow& b) {
    return a.layer != b.layer ? a.layer < b.layer : a.sae < b.sae;
  });
  util::Table table = summary_table();
  for (SummaryRow& row : rows) table.add_row(std::move(row.cells));
  return table;
}

}  // namespace loupe::study
