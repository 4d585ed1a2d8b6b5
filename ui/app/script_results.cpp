// The script actions of the results panels (Bias, Maps, Feature browser, Feature page) and the
// frame-time measurement; each waits for the workspace's results to be read first.
#include <algorithm>
#include <cstdio>

#include "core/error.h"
#include "ui/app/script_runner.h"
#include "ui/panels/panels.h"

namespace loupe::ui {

namespace {

constexpr double kResultsTimeoutSeconds = 120;

std::string known_ids(const std::vector<std::string>& ids) {
  std::string list;
  for (const std::string& id : ids) list += (list.empty() ? "" : ", ") + id;
  return list;
}

const LatentsResult& open_latents(const AppState& state) {
  if (state.results->latents.empty()) throw InputError("the workspace has no feature analysis (loupe analyze features)");
  return *state.results->latents[size_t(std::clamp(state.features.analysis, 0, int(state.results->latents.size()) - 1))];
}

}  // namespace

bool ScriptRunner::results_step(AppState& state, const ScriptAction& action, double elapsed) {
  const auto& a = action.args;
  if (action.command == ScriptCommand::MeasureFrames) {
    if (frames_in_action_ == 0) drag_stats_ = FrameStats{};
    if (elapsed < std::stod(a[0])) return false;
    std::printf("[frames] measured over %.1f s: %d frames, worst %.1f ms, mean %.1f ms (UI-thread CPU: worst %.1f ms, mean %.1f ms)\n",
                elapsed, drag_stats_.frames, drag_stats_.worst_ms, drag_stats_.mean_ms(), drag_stats_.worst_cpu_ms,
                drag_stats_.mean_cpu_ms());
    std::fflush(stdout);
    return true;
  }
  if (action.command == ScriptCommand::ExportPlot) {
    const int panel = find_panel(a[0]);
    if (panel < 0) throw InputError("no panel named " + a[0]);
    return wait_for_job(state, [&] { return export_plot(state, shown_plot(state, Panel(panel)), a[1]); }, "the export failed",
                        "exported the " + a[0] + " panel's figure to " + a[1]);
  }
  if (!state.results) {  // read by a job when the workspace opened
    if (state.workspace.empty()) throw InputError("open a workspace first (--workspace W): the results panels show its analyses");
    if (elapsed > kResultsTimeoutSeconds) throw InputError("the workspace's results were not read within 120 s");
    return false;
  }
  const WorkspaceResults& results = *state.results;
  switch (action.command) {
    case ScriptCommand::SelectFigure: {
      std::vector<std::string> ids;
      for (const FigureResult& figure : results.figures) ids.push_back(figure.figure.id);
      for (const TableResult& table : results.tables) ids.push_back(table.id);
      const auto figure = std::find(ids.begin(), ids.end(), a[0]);
      if (figure == ids.end()) throw InputError("no figure or table " + a[0] + "; the workspace has " + known_ids(ids));
      const size_t index = size_t(figure - ids.begin());
      state.bias.show_table = index >= results.figures.size();
      if (state.bias.show_table) {
        state.bias.table = int(index - results.figures.size());
      } else {
        state.bias.figure = a[0];
      }
      state.show[kBiasPanel] = true;
      return true;
    }
    case ScriptCommand::SelectMap: {
      std::vector<std::string> ids;
      for (const auto& map : results.maps) ids.push_back(map->id);
      const auto map = std::find(ids.begin(), ids.end(), a[0]);
      if (map == ids.end()) throw InputError("no map " + a[0] + "; the workspace has " + known_ids(ids));
      state.maps.map = int(map - ids.begin());
      state.maps.selected.clear();
      if (a.size() > 1) {
        const auto& labels = results.maps[size_t(state.maps.map)]->label_columns;
        if (std::find(labels.begin(), labels.end(), a[1]) == labels.end())
          throw InputError("the map " + a[0] + " has no label column " + a[1] + "; it has " + known_ids(labels));
        state.maps.colour_by = a[1];
      }
      state.show[kMapsPanel] = true;
      return true;
    }
    case ScriptCommand::SelectBox: {
      select_map_box(state, DataBox{std::min(std::stod(a[0]), std::stod(a[2])), std::max(std::stod(a[0]), std::stod(a[2])),
                                    std::min(std::stod(a[1]), std::stod(a[3])), std::max(std::stod(a[1]), std::stod(a[3]))});
      std::printf("[script] %zu map points selected\n", state.maps.selected.size());
      return true;
    }
    case ScriptCommand::MakeDirection:
      return wait_for_job(state, [&] { return add_selection_direction(state, a[0]); }, "the direction failed",
                          "direction " + a[0] + " made from " + std::to_string(state.maps.selected.size()) + " map points");
    case ScriptCommand::SearchLatents: {
      const std::string text = a[0] == "-" ? "" : a[0];
      if (text.size() >= sizeof state.features.search) throw InputError("the search text is too long");
      std::copy(text.begin(), text.end(), state.features.search);
      state.features.search[text.size()] = '\0';
      refresh_latent_rows(state.features, open_latents(state));
      std::printf("[script] %zu latents match\n", state.features.rows.size());
      return true;
    }
    case ScriptCommand::SortLatents: {
      const LatentsResult& latents = open_latents(state);
      if (a[1] != "asc" && a[1] != "desc") throw InputError("sort-latents COLUMN asc|desc, not " + a[1]);
      state.features.sort_column = int(latents.column(a[0]));
      state.features.descending = a[1] == "desc";
      refresh_latent_rows(state.features, latents);
      if (!state.features.rows.empty())
        std::printf("[script] first latent by %s (%s): %lld\n", a[0].c_str(), a[1].c_str(), static_cast<long long>(state.features.rows[0]));
      return true;
    }
    case ScriptCommand::FilterLatents: {
      FeaturesView& view = state.features;
      if (a[0] != "none" && a[0] != "language-specific" && a[0] != "aligned" && a[0] != "gendered")
        throw InputError("filter-latents none|language-specific|aligned|gendered, not " + a[0]);
      view.language_specific = a[0] == "language-specific";
      view.aligned = a[0] == "aligned";
      view.gendered = a[0] == "gendered";
      refresh_latent_rows(view, open_latents(state));
      std::printf("[script] %zu latents pass the filter %s\n", view.rows.size(), a[0].c_str());
      return true;
    }
    case ScriptCommand::SelectLatent: {
      if (a.size() > 1) {
        std::vector<std::string> ids;
        for (const auto& latents : results.latents) ids.push_back(latents->id);
        const auto found = std::find(ids.begin(), ids.end(), a[1]);
        if (found == ids.end()) throw InputError("no feature analysis " + a[1] + "; the workspace has " + known_ids(ids));
        state.features.analysis = int(found - ids.begin());
        state.features.rows_dirty = true;
      }
      const LatentsResult& latents = open_latents(state);
      const long long latent = std::stoll(a[0]);
      if (latent < 0 || latent >= static_cast<long long>(latents.values.size()))
        throw InputError("latent " + a[0] + " is outside the " + std::to_string(latents.values.size()) + " latents of " + latents.id);
      state.features.latent = latent;
      state.show[kFeaturePagePanel] = true;
      return true;
    }
    default:
      throw InputError("not a results action");
  }
}

}  // namespace loupe::ui
