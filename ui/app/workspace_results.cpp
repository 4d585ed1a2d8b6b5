#include "ui/app/workspace_results.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <system_error>

#include "core/error.h"
#include "core/io/dataset.h"
#include "core/report/latent_bars.h"
#include "core/sae/sae_config.h"
#include "core/study/counterfactual_pairs.h"
#include "core/util/atomic_file.h"
#include "core/util/table.h"
#include "core/workspace/workspace.h"

namespace loupe::ui {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

double number_or_nan(const std::string& text) { return io::parse_number(text).value_or(std::nan("")); }

std::string relative_id(const fs::path& file, const fs::path& analyses) {
  return (file.parent_path().lexically_relative(analyses) / file.stem()).generic_string();
}

std::vector<fs::path> analysis_files(const fs::path& analyses, const std::string& suffix) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(analyses, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_regular_file(ec) && name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

int optional_column(const io::CsvTable& table, const char* name) {
  const auto found = std::find(table.header.begin(), table.header.end(), name);
  return found == table.header.end() ? -1 : int(found - table.header.begin());
}

std::shared_ptr<const MapResult> read_map(const fs::path& file, const fs::path& analyses) {
  auto map = std::make_shared<MapResult>();
  map->id = relative_id(file, analyses);
  map->csv = util::read_file(file.string());
  map->table = io::parse_csv_table(map->csv, file.string());
  const size_t x = map->table.column("x"), y = map->table.column("y");
  for (const io::CsvRecord& row : map->table.rows) {
    map->x.push_back(number_or_nan(map->table.at(row, x)));
    map->y.push_back(number_or_nan(map->table.at(row, y)));
    if (!std::isfinite(map->x.back()) || !std::isfinite(map->y.back()))
      throw FormatError(file.string() + " line " + std::to_string(row.line) + ": x and y must be numbers");
  }
  map->entry_column = optional_column(map->table, "entry");
  map->image_column = optional_column(map->table, "image");
  map->caption_column = optional_column(map->table, "caption");
  map->lang_column = optional_column(map->table, "lang");
  for (const std::string& column : map->table.header)
    if (column != "x" && column != "y" && column != "entry" && column != "row" && column != "caption" && column != "image")
      map->label_columns.push_back(column);
  const std::string stem = file.stem().string();
  const size_t dash = stem.rfind('-');
  if (stem.rfind("decoder-", 0) != 0 && dash != std::string::npos) map->hook = stem.substr(0, dash);
  return map;
}

std::vector<LatentExample> examples_of(const json& list) {
  std::vector<LatentExample> out;
  for (const json& e : list)
    out.push_back({e.value("entry", int64_t(0)), e.value("row", int64_t(0)), e.value("position", int64_t(0)),
                   e.value("image", std::string()), e.value("language", std::string()), e.value("token", std::string()),
                   e.value("value", 0.0)});
  return out;
}

std::vector<TokenEffect> tokens_of(const json& list) {
  std::vector<TokenEffect> out;
  for (const json& t : list)
    out.push_back({t.contains("text") ? t["text"].get<std::string>() : "#" + std::to_string(t.value("token", 0)), t.value("effect", 0.0)});
  return out;
}

std::vector<std::pair<int64_t, double>> pairs_of(const json& list, const char* value) {
  std::vector<std::pair<int64_t, double>> out;
  for (const json& p : list) out.emplace_back(p.value("latent", int64_t(0)), p.value(value, 0.0));
  return out;
}

LatentDetails details_of(const json& row) {
  LatentDetails d;
  const json& histogram = row.value("histogram", json::object());
  d.log10_low = histogram.value("log10_low", 0.0);
  d.log10_high = histogram.value("log10_high", 0.0);
  for (const json& count : histogram.value("counts", json::array())) d.histogram.push_back(count.get<double>());
  d.top = examples_of(row.value("top_examples", json::array()));
  for (const json& q : row.value("quantile_examples", json::array())) {
    d.quantile_ranges.emplace_back(q.value("low", 0.0), q.value("high", 0.0));
    d.quantile_examples.push_back(examples_of(q.value("examples", json::array())));
  }
  const json& effects = row.value("logit_effects", json::object());
  d.promoted = tokens_of(effects.value("top", json::array()));
  d.suppressed = tokens_of(effects.value("bottom", json::array()));
  d.promoted_arabic = tokens_of(effects.value("top_arabic", json::array()));
  d.promoted_latin = tokens_of(effects.value("top_latin", json::array()));
  d.coactive = pairs_of(row.value("coactive", json::array()), "share");
  d.neighbours = pairs_of(row.value("neighbours", json::array()), "cosine");
  return d;
}

std::shared_ptr<const LatentsResult> read_latents(const fs::path& file, jobs::JobContext& job) {
  auto latents = std::make_shared<LatentsResult>();
  latents->id = file.parent_path().filename().string();
  latents->table = io::parse_csv_table(util::read_file(file.string()), file.string());
  const io::CsvTable& table = latents->table;
  std::vector<size_t> numeric;
  for (size_t c = 0; c < table.header.size(); ++c)
    if (table.header[c] != "language_specific") {
      latents->columns.push_back(table.header[c]);
      numeric.push_back(c);
    }
  const size_t specific = table.column("language_specific");
  for (const io::CsvRecord& row : table.rows) {
    std::vector<double> values;
    for (size_t c : numeric) values.push_back(number_or_nan(table.at(row, c)));
    latents->values.push_back(std::move(values));
    latents->language_specific.push_back(table.at(row, specific));
  }
  const size_t image = latents->column("frequency_image");
  latents->image_tokens_silent = std::all_of(latents->values.begin(), latents->values.end(), [&](const std::vector<double>& v) {
    return !(v[image] > 0);  // NaN (no image-token vectors) or 0
  });
  const fs::path summary = file.parent_path() / "summary.json";
  std::error_code ec;
  if (fs::is_regular_file(summary, ec)) {
    const json document = json::parse(util::read_file(summary.string()), nullptr, false);
    if (document.is_object()) {
      latents->hook = document.value("hook", std::string());
      latents->sae = document.value("sae", std::string());
    }
  }
  const fs::path details = file.parent_path() / "latents.json";
  if (fs::is_regular_file(details, ec)) {
    job.set_stage("reading " + details.string());
    const json rows = json::parse(util::read_file(details.string()), nullptr, false);
    if (!rows.is_array() || rows.size() != latents->values.size())
      throw FormatError(details.string() + " is not one JSON object per row of latents.csv");
    for (const json& row : rows) latents->details.push_back(details_of(row));
  }
  return latents;
}

// A mitigation run's caption measures, before and after, as a table: measure, en_before, en_after, ar_before, ar_after;
// then the share of captions changed and the counter-stereotypical figures' gender-word changes (after columns only).
TableResult mitigation_table(const fs::path& file, const fs::path& analyses) {
  const json document = json::parse(util::read_file(file.string()), nullptr, false);
  if (!document.is_object()) throw FormatError(file.string() + " is not a JSON object");
  using util::ColumnType;
  util::Table table({{"measure", ColumnType::Text}, {"en_before", ColumnType::Real}, {"en_after", ColumnType::Real},
                     {"ar_before", ColumnType::Real}, {"ar_after", ColumnType::Real}});
  // document[lang][phase] is a number (changed) or an object of measures.
  const auto cell = [&](const char* lang, const char* phase, const char* measure) -> util::Cell {
    if (!document.contains(lang) || !document[lang].contains(phase)) return {};
    const json& value = document[lang][phase];
    if (value.is_number()) return value.get<double>();
    return value.contains(measure) && value[measure].is_number() ? util::Cell(value[measure].get<double>()) : util::Cell();
  };
  for (const char* measure : {"misgendered_counter", "misgendered_stereo", "gendered_neutral", "bleu", "rouge_l"})
    table.add_row({std::string(measure), cell("en", "baseline", measure), cell("en", "intervened", measure),
                   cell("ar", "baseline", measure), cell("ar", "intervened", measure)});
  table.add_row({std::string("changed (share of captions)"), {}, cell("en", "changed", ""), {}, cell("ar", "changed", "")});
  // The counter-stereotypical figures' gender words, before → after (counts of images).
  const auto change = [&](const char* lang, const char* key) -> util::Cell {
    const json::json_pointer at("/" + std::string(lang) + "/gender_changes/counter/" + key);
    return document.contains(at) && document.at(at).is_number() ? util::Cell(document.at(at).get<double>()) : util::Cell();
  };
  for (const char* key : {"wrong_to_none", "right_to_none", "wrong_to_right", "right_to_wrong"})
    table.add_row({"counter figures: " + std::string(key), {}, change("en", key), {}, change("ar", key)});
  const std::string csv = table.csv();
  return {relative_id(file, analyses), io::parse_csv_table(csv, file.string()), csv};
}

using Guard = std::function<std::string(const fs::path&, const std::function<void()>&)>;

// patch.csv's cells, the layers and the image's grid side.
void read_patch_cells(const fs::path& file, PatchResult& patch) {
  const io::CsvTable table = io::parse_csv_table(util::read_file(file.string()), file.string());
  const size_t layer = table.column("layer"), position = table.column("position"), type = table.column("type"),
               token = table.column("token"), row = table.column("grid_row"), col = table.column("grid_col");
  const int restored = optional_column(table, "restored");
  const auto integer = [](const std::string& text) { return int64_t(io::parse_number(text).value_or(-1)); };
  for (const io::CsvRecord& record : table.rows) {
    PatchCellInfo cell{integer(table.at(record, layer)), integer(table.at(record, position)), table.at(record, type),
                       table.at(record, token), integer(table.at(record, row)), integer(table.at(record, col)),
                       restored < 0 ? std::nan("") : number_or_nan(table.at(record, size_t(restored)))};
    patch.layers = std::max(patch.layers, cell.layer + 1);
    patch.grid_side = std::max(patch.grid_side, std::max(cell.grid_row, cell.grid_col) + 1);
    patch.cells.push_back(std::move(cell));
  }
}

// The sweeps under analyses/ with their logged parameters, and the dataset's suggested pairs.
void read_patches(const workspace::Workspace& space, const std::vector<workspace::RunRecord>& runs, WorkspaceResults& results,
                  const Guard& guarded) {
  for (const fs::path& file : analysis_files(space.analyses_dir(), "patch.csv")) {
    PatchResult patch;
    patch.id = file.parent_path().filename().string();
    for (const workspace::RunRecord& run : runs) {  // the newest successful run wins
      const json& p = run.parameters;
      if (run.command != "patch-sweep" || run.outcome != "ok" || !p.is_object() || p.value("out", "") != patch.id) continue;
      patch.clean_image = p.value("clean", "");
      patch.corrupt_image = p.value("corrupt", "");
      patch.lang = p.value("lang", patch.lang);
      patch.hook = p.value("hook", patch.hook);
    }
    if (guarded(file, [&] { read_patch_cells(file, patch); }).empty()) results.patches.push_back(std::move(patch));
  }
  try {
    const util::Table pairs = study::counterfactual_pairs(io::load_dataset(space.dataset().string()), "");
    for (const auto& row : pairs.json())
      results.pairs.push_back({row.value("scene", ""), row.value("activity", ""), row.value("woman_image", ""),
                               row.value("man_image", "")});
  } catch (const Error&) {
    // A dataset without gender, scene and activity columns (or none left) suggests no pairs; the panel says so.
  }
}

}  // namespace

const PatchCellInfo* PatchResult::cell(int64_t layer, int64_t position) const {
  for (const PatchCellInfo& c : cells)
    if (c.layer == layer && c.position == position) return &c;
  return nullptr;
}

size_t LatentsResult::column(const std::string& name) const {
  const auto found = std::find(columns.begin(), columns.end(), name);
  if (found == columns.end()) throw InputError("the feature analysis " + id + " has no column " + name);
  return size_t(found - columns.begin());
}

WorkspaceResults read_workspace_results(const std::string& root, jobs::JobContext& job) {
  const workspace::Workspace space = workspace::Workspace::open(root);
  const std::vector<workspace::RunRecord> runs = space.runs();
  WorkspaceResults results;
  results.root = root;
  const fs::path analyses = space.analyses_dir();
  // Runs `read`; a failure becomes a problem of the results (returned too) and the rest goes on.
  const auto guarded = [&](const fs::path& file, const std::function<void()>& read) {
    std::string problem;
    try {
      read();
    } catch (const Error& error) {
      problem = file.string() + ": " + error.what();
    } catch (const json::exception& error) {
      problem = file.string() + ": not the expected JSON (" + error.what() + ")";
    }
    if (!problem.empty()) results.problems.push_back(problem);
    return problem;
  };
  for (const workspace::RunRecord& run : runs) {
    RunEntry entry{run.command, run.started, run.outcome, run.message, "", run.parameters, false};
    if (run.parameters.is_object() && run.parameters.contains("out") && run.parameters["out"].is_string())
      entry.out = run.parameters["out"].get<std::string>();
    std::error_code ec;
    entry.resumable = run.command == "train-sae" && run.outcome != "ok" && !entry.out.empty() &&
                      fs::is_regular_file(space.sae_dir(entry.out) / sae::kCheckpointFile, ec);
    results.runs.push_back(std::move(entry));
  }
  job.set_stage("figures");
  for (const report::StudyFigure& figure : report::find_study_figures(root)) {
    FigureResult result{figure, nullptr, "", ""};
    result.error = guarded(figure.source, [&] {
      result.csv = report::study_figure_table(figure);
      report::TablePlotSpec spec = figure.spec;
      spec.caption = report::study_figure_caption(space, runs, figure);
      result.plot = std::make_shared<const report::Plot>(report::plot_from_csv(result.csv, figure.source.string(), spec));
    });
    results.figures.push_back(std::move(result));
  }
  job.throw_if_cancelled();
  for (const fs::path& file : analysis_files(analyses, "summary.csv"))
    guarded(file, [&] {
      const std::string csv = util::read_file(file.string());
      results.tables.push_back({relative_id(file, analyses), io::parse_csv_table(csv, file.string()), csv});
    });
  for (const fs::path& file : analysis_files(analyses, "mitigation.json"))
    guarded(file, [&] { results.tables.push_back(mitigation_table(file, analyses)); });
  read_patches(space, runs, results, guarded);
  job.set_stage("maps");
  for (const fs::path& file : analysis_files(analyses, ".csv")) {
    const std::string name = file.filename().string();
    const bool map = (name.size() > 9 && name.compare(name.size() - 9, 9, "-tsne.csv") == 0) ||
                     (name.size() > 8 && name.compare(name.size() - 8, 8, "-pca.csv") == 0);
    if (map) guarded(file, [&] { results.maps.push_back(read_map(file, analyses)); });
  }
  job.set_stage("latents");
  for (const fs::path& file : analysis_files(analyses, "latents.csv")) {
    job.throw_if_cancelled();
    guarded(file, [&] { results.latents.push_back(read_latents(file, job)); });
  }
  for (const auto& latents : results.latents)
    for (const char* language : {"en", "ar"}) {
      const std::string caption = "model " + space.model().filename().string() + " · data " + space.dataset().filename().string() +
                                  " · hook " + latents->hook + " · sae " + latents->sae + " · analyses/" + latents->id + "/latents.csv";
      FigureResult result;
      result.figure.id = latents->id + "/top-latents-" + language;
      result.figure.section = "latents";
      result.figure.source = analyses / latents->id / "latents.csv";
      result.figure.spec.title = std::string("Top latents (") + language + ")";
      result.error = guarded(result.figure.source, [&] {
        const report::Plot plot = report::top_latents_plot(latents->table, language, 10, caption);
        util::Table bars({{"latent", util::ColumnType::Text}, {"cohens_d", util::ColumnType::Real}});
        for (size_t i = 0; i < plot.x.categories.size(); ++i) bars.add_row({plot.x.categories[i].substr(1), plot.series[0].y[i]});
        result.csv = bars.csv();
        result.plot = std::make_shared<const report::Plot>(plot);
      });
      results.figures.push_back(std::move(result));
    }
  return results;
}

std::vector<std::string> map_labels(const MapResult& map, const std::string& column) {
  const size_t c = map.table.column(column);
  std::vector<std::string> labels;
  labels.reserve(map.table.rows.size());
  for (const io::CsvRecord& row : map.table.rows) labels.push_back(map.table.at(row, c));
  return labels;
}

}  // namespace loupe::ui
