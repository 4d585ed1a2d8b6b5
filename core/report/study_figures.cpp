#include "core/report/study_figures.h"

#include <algorithm>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/report/provenance.h"
#include "core/util/atomic_file.h"

namespace loupe::report {

namespace fs = std::filesystem;

namespace {

TablePlotSpec line_spec(std::string title, std::string x, std::vector<std::string> y, std::vector<std::string> group_by) {
  TablePlotSpec spec;
  spec.kind = PlotKind::Line;
  spec.title = std::move(title);
  spec.x = std::move(x);
  spec.y = std::move(y);
  spec.group_by = std::move(group_by);
  return spec;
}

// The figures one analysis folder's tables make, by file name.
void analysis_figures(const fs::path& folder, std::vector<StudyFigure>& out) {
  const std::string name = folder.filename().string();
  auto add = [&](const char* file, const std::string& id, const char* section, TablePlotSpec spec, const char* command) {
    const fs::path source = folder / file;
    std::error_code ec;
    if (fs::is_regular_file(source, ec)) out.push_back({name + "/" + id, section, source, command, std::move(spec)});
  };
  TablePlotSpec probe = line_spec("Linear probe accuracy per layer", "hook", {"accuracy_mean"}, {"target", "lang"});
  probe.error = "accuracy_std";
  add("probe.csv", "probe", "layers", probe, "analyze probe");
  add("rank.csv", "rank", "layers", line_spec("Effective rank (95% of the variance) per layer", "hook", {"rank_en", "rank_ar"}, {}), "analyze rank");
  add("lens.csv", "lens", "layers",
      line_spec("Logit lens: female minus male logit per layer", "layer", {"mean_logit_diff"}, {"lang"}), "analyze lens");
  TablePlotSpec dla = line_spec("Direct logit attribution to female minus male, per layer", "layer", {"mean_dla"}, {"component", "lang"});
  dla.kind = PlotKind::Bars;
  dla.where = {{"component", "attn|mlp"}, {"head", ""}};
  add("dla.csv", "dla", "layers", dla, "analyze lens");
  TablePlotSpec alignment = line_spec("Cohen's d of each latent: English against Arabic", "cohens_d_en", {"cohens_d_ar"}, {});
  alignment.kind = PlotKind::Scatter;
  add("latents.csv", "alignment", "latents", alignment, "analyze features");
  add("dose_response.csv", "dose", "steering",
      line_spec("Dose-response: what steering changes", "alpha", {"flip_rate", "scene_kept", "activity_kept"}, {"lang"}), "steer");
  add("dose_response.csv", "likelihood", "steering",
      line_spec("Dose-response: log-likelihood of the steered captions", "alpha", {"log_likelihood"}, {"lang"}), "steer");
  TablePlotSpec patch;
  patch.kind = PlotKind::Heatmap;
  patch.title = "Activation patching: share of the gender effect restored";
  patch.x = "position";
  patch.y = {"layer"};
  patch.value = "restored";
  patch.colour_map = ColourMap::Diverging;
  add("patch.csv", "patch", "patching", patch, "patch-sweep");

  std::error_code ec;
  std::vector<fs::path> maps;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder, ec)) {
    const std::string file = entry.path().filename().string();
    const bool map = entry.path().extension() == ".csv" &&
                     (file.size() > 9 && (file.rfind("-tsne.csv") == file.size() - 9 || file.rfind("-pca.csv") == file.size() - 8));
    if (map) maps.push_back(entry.path());
  }
  std::sort(maps.begin(), maps.end());
  for (const fs::path& map : maps) {
    const std::string stem = map.stem().string();
    const bool decoder = stem.rfind("decoder-", 0) == 0;  // one point per latent, no entry labels
    TablePlotSpec spec = line_spec("Map of " + stem, "x", {"y"}, decoder ? std::vector<std::string>{} : std::vector<std::string>{"figure_gender"});
    spec.kind = PlotKind::Scatter;
    add(map.filename().string().c_str(), stem, "maps", spec, "analyze embed");
  }
}

void sae_figures(const fs::path& folder, std::vector<StudyFigure>& out) {
  const fs::path source = folder / "metrics.jsonl";
  std::error_code ec;
  if (!fs::is_regular_file(source, ec)) return;
  const std::string id = "saes/" + folder.filename().string();
  out.push_back({id + "/mse", "sae", source, "train-sae", line_spec("SAE training: reconstruction error", "tokens", {"mse"}, {})});
  out.push_back({id + "/quality", "sae", source, "train-sae",
                 line_spec("SAE training: explained variance and dead latents", "tokens", {"explained_variance", "dead_fraction"}, {})});
}

std::vector<fs::path> sorted_folders(const fs::path& parent) {
  std::vector<fs::path> folders;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(parent, ec))
    if (entry.is_directory(ec)) folders.push_back(entry.path());
  std::sort(folders.begin(), folders.end());
  return folders;
}

std::string csv_cell(const nlohmann::json& value) {
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  if (value.is_number()) {
    std::ostringstream text;
    text.precision(9);
    text << value.get<double>();
    return text.str();
  }
  return "";
}

// metrics.jsonl: one JSON object a line -> CSV with the first line's numeric fields as columns.
std::string jsonl_as_csv(const std::string& text, const std::string& name) {
  std::istringstream lines(text);
  std::string line, csv;
  std::vector<std::string> columns;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const nlohmann::json row = nlohmann::json::parse(line, nullptr, false);
    if (!row.is_object()) throw FormatError(name + " line " + std::to_string(number) + " is not a JSON object");
    if (columns.empty()) {
      for (const auto& [key, value] : row.items())
        if (value.is_number()) columns.push_back(key);
      for (size_t c = 0; c < columns.size(); ++c) csv += (c ? "," : "") + columns[c];
      csv += "\n";
    }
    for (size_t c = 0; c < columns.size(); ++c) csv += (c ? "," : "") + (row.contains(columns[c]) ? csv_cell(row[columns[c]]) : "");
    csv += "\n";
  }
  return csv;
}

}  // namespace

std::vector<StudyFigure> find_study_figures(const fs::path& workspace) {
  std::vector<StudyFigure> figures;
  for (const fs::path& folder : sorted_folders(workspace / "analyses")) analysis_figures(folder, figures);
  for (const fs::path& folder : sorted_folders(workspace / "saes")) sae_figures(folder, figures);
  return figures;
}

std::string study_figure_table(const StudyFigure& figure) {
  const std::string text = util::read_file(figure.source.string());
  return figure.source.extension() == ".jsonl" ? jsonl_as_csv(text, figure.source.string()) : text;
}

std::string study_figure_caption(const workspace::Workspace& ws, const std::vector<workspace::RunRecord>& runs,
                                 const StudyFigure& figure) {
  const auto run = find_run(runs, figure.command, "out", figure.source.parent_path().filename().string());
  std::string line = "model " + ws.model().filename().string() + " · data " + ws.dataset().filename().string();
  if (run) {
    for (const char* key : {"hook", "hooks", "sae", "store", "split"}) {
      const auto it = run->parameters.find(key);
      if (it != run->parameters.end() && it->is_string() && !it->get<std::string>().empty())
        line += std::string(" · ") + key + " " + it->get<std::string>();
    }
    line += " · " + run_label(*run);
  }
  return line + " · " + figure.source.lexically_relative(ws.root()).generic_string();
}

Plot load_study_figure(const StudyFigure& figure, const std::string& caption) {
  TablePlotSpec spec = figure.spec;
  spec.caption = caption;
  return plot_from_csv(study_figure_table(figure), figure.source.string(), spec);
}

std::string study_figure_file_name(const std::string& id) {
  std::string name = id;
  std::replace(name.begin(), name.end(), '/', '-');
  return name;
}

}  // namespace loupe::report
