#include "core/study/maps.h"

#include <set>

#include "core/analysis/feature_report.h"
#include "core/analysis/pca.h"
#include "core/error.h"
#include "core/io/dataset.h"
#include "core/sae/sae_io.h"
#include "core/store/store_reader.h"
#include "core/study/analyze_features.h"
#include "core/study/layer_analyses.h"
#include "core/tensor/convert.h"
#include "core/workspace/workspace.h"

namespace loupe::study {

namespace fs = std::filesystem;

namespace {

using util::Cell;
using util::ColumnType;

torch::Tensor coordinates(const torch::Tensor& points, const MapRequest& request, jobs::JobContext& job) {
  job.set_stage(request.method + " map of " + std::to_string(points.size(0)) + " points");
  if (request.method == "pca") return analysis::pca(points, 2).embedding;
  return analysis::tsne(points, request.tsne, job).embedding;
}

// The label table with x and y appended. embedding [rows, 2].
util::Table with_coordinates(const util::Table& labels, const torch::Tensor& embedding) {
  std::vector<util::Column> columns = labels.columns();
  columns.push_back({"x", ColumnType::Real});
  columns.push_back({"y", ColumnType::Real});
  util::Table table(columns);
  const torch::Tensor xy = embedding.to(torch::kFloat64).contiguous();
  const double* at = xy.data_ptr<double>();
  for (size_t r = 0; r < labels.row_count(); ++r) {
    std::vector<Cell> cells;
    for (size_t c = 0; c < labels.columns().size(); ++c) cells.push_back(labels.cell(r, c));
    cells.push_back(at[2 * r]);
    cells.push_back(at[2 * r + 1]);
    table.add_row(std::move(cells));
  }
  return table;
}

util::Table entry_labels(const store::StoreEntries& entries, const std::vector<int64_t>& chosen) {
  std::set<std::string> keys;  // the dataset's other label columns; `gender` is figure_gender
  for (int64_t e : chosen)
    for (const auto& [key, value] : entries.labels[size_t(e)])
      if (key != "gender") keys.insert(key);
  std::vector<util::Column> columns = {{"entry", ColumnType::Integer}, {"row", ColumnType::Integer}};
  for (const char* name : {"lang", "image", "figure_gender", "stated_gender", "caption"})
    columns.push_back({name, ColumnType::Text});
  for (const std::string& key : keys) columns.push_back({key, ColumnType::Text});
  util::Table table(columns);
  for (int64_t e : chosen) {
    const auto& language = entries.language[size_t(e)];
    std::vector<Cell> cells = {e, entries.row[size_t(e)], language ? std::string(language_code(*language)) : std::string(),
                               entries.image[size_t(e)], entries.figure_gender[size_t(e)],
                               std::string(eval::gender_name(entries.stated_gender(e))), entries.caption(e)};
    for (const std::string& key : keys) {
      const auto found = entries.labels[size_t(e)].find(key);
      cells.push_back(found == entries.labels[size_t(e)].end() ? std::string() : found->second);
    }
    table.add_row(std::move(cells));
  }
  return table;
}

LabelledMap store_map(const MapRequest& request, jobs::JobContext& job) {
  const workspace::Workspace space = workspace::Workspace::open(request.workspace);
  const std::string store_name = request.store.empty() ? "acts" : request.store;
  const store::StoreReader store = store::StoreReader::open(space.store_dir(store_name));
  store.width(request.hook);  // InputError listing the store's hooks
  const std::string split = request.split.empty() ? "" : io::canonical_split(request.split);
  job.set_stage("pooling " + request.hook);
  const PooledSelection selected =
      select_pooled(analysis::pooled_entry_vectors(store, request.hook), store.entries(), std::nullopt, split);
  if (selected.entries.empty())
    throw InputError("the store " + store_name + " has no entries with " + request.hook + " vectors" +
                     (split.empty() ? std::string() : " in the split '" + split + "'"));
  const torch::Tensor embedding = coordinates(selected.vectors, request, job);
  return {request.hook + "-" + request.method, with_coordinates(entry_labels(store.entries(), selected.entries), embedding),
          embedding, torch::tensor(selected.entries, torch::kInt64)};
}

LabelledMap decoder_map(const MapRequest& request, jobs::JobContext& job) {
  FeatureAnalysisRequest analysis_request;
  analysis_request.workspace = request.workspace;
  analysis_request.sae = request.sae;
  analysis_request.store = request.store;
  analysis_request.split = request.split;
  analysis_request.grouping = request.grouping;
  analysis_request.device = request.device;
  analysis_request.logit_effects = false;
  const PreparedFeatureAnalysis prepared = prepare_feature_analysis(analysis_request);
  const AnalyzedFeatures analyzed = analyze_prepared(prepared, job);
  const torch::Tensor decoder = sae::load_sae(prepared.sae_folder.string()).W_dec;  // [latents, d]
  const torch::Tensor embedding = coordinates(decoder, request, job);
  return {"decoder-" + request.sae + "-" + request.method, with_coordinates(analysis::latent_table(analyzed.analysis), embedding),
          embedding, torch::arange(decoder.size(0), torch::kInt64)};
}

}  // namespace

LabelledMap labelled_map(const MapRequest& request, jobs::JobContext& job) {
  if (request.hook.empty() == request.sae.empty())
    throw InputError("a map is of a store's vectors at hooks (--hooks) or of an SAE's decoder (--sae): give one");
  if (request.method != "pca" && request.method != "tsne")
    throw InputError("--method takes pca or tsne, not '" + request.method + "'");
  return request.hook.empty() ? decoder_map(request, job) : store_map(request, job);
}

void write_map(const fs::path& folder, const LabelledMap& map) {
  util::write_table_files(folder, map.name, map.points);
  tensor::save((folder / (map.name + ".safetensors")).string(), {{"embedding", map.embedding}, {"ids", map.ids}});
}

std::vector<LabelledMap> labelled_maps_logged(const MapRequest& request, const std::vector<std::string>& hooks,
                                              const std::string& name, jobs::JobContext& job) {
  const workspace::Workspace space = workspace::Workspace::open(request.workspace);
  workspace::check_entry_name(name, "--out");
  std::string hook_list;
  for (const std::string& hook : hooks) hook_list += (hook_list.empty() ? "" : ",") + hook;
  workspace::RunRecord record;
  record.command = "analyze embed";
  record.parameters = {{"store", request.store}, {"hooks", hook_list}, {"sae", request.sae},
                       {"split", request.split}, {"method", request.method}, {"out", name}};
  if (request.method == "tsne") record.parameters.update({{"perplexity", request.tsne.perplexity}, {"seed", request.tsne.seed}});
  if (!request.store.empty()) workspace::add_inputs(record, space.store_files(request.store));
  if (!request.sae.empty()) workspace::add_inputs(record, space.sae_files(request.sae));
  std::vector<LabelledMap> maps;
  space.run_logged(record, [&](workspace::RunRecord& logged) {
    for (const std::string& hook : hooks) {  // every map is made before any is written: all or nothing
      MapRequest one = request;
      one.hook = hook;
      maps.push_back(labelled_map(one, job));
    }
    const fs::path folder = space.analyses_dir() / name;
    for (const LabelledMap& map : maps) write_map(folder, map);
    logged.message = std::to_string(maps.size()) + " maps; " + folder.string();
  });
  return maps;
}

}  // namespace loupe::study
