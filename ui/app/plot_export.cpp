// Exports of the figures on screen (the plot widget's right-click menu, script `export-plot`).
#include <filesystem>

#include "core/error.h"
#include "core/io/image.h"
#include "core/report/svg.h"
#include "core/util/atomic_file.h"
#include "ui/app/app_state.h"
#include "ui/app/fonts.h"
#include "ui/render/figure_png.h"

namespace loupe::ui {

namespace fs = std::filesystem;

ShownPlot shown_plot(const AppState& state, Panel panel) {
  if (panel == kBiasPanel && state.bias.show_table && state.results && state.bias.table < int(state.results->tables.size())) {
    const TableResult& table = state.results->tables[size_t(state.bias.table)];
    return {report::study_figure_file_name(table.id), nullptr, table.csv};  // a table: CSV only
  }
  if (panel == kBiasPanel) return state.bias.plot.shown();
  if (panel == kHeatmapPanel) return state.heatmap_figure.shown();
  if (panel == kMapsPanel) return state.maps.plot.shown();
  if (panel == kFeaturePagePanel) return state.features.histogram.shown();
  if (panel == kStudyPanel && !state.study.curves.empty()) return state.study.curves.back().quality.shown();
  if (panel == kPatchingPanel) return state.patching.plot.shown();
  if (panel == kSteeringPanel) return state.dose.dose.shown();
  return {};
}

jobs::JobId export_plot(AppState& state, const ShownPlot& plot, const std::string& path) {
  const std::string extension = fs::path(path).extension().string();
  if (!plot.figure && (extension == ".png" || extension == ".svg" || plot.csv.empty()))
    throw InputError("that panel shows no figure yet; open it on a workspace with results first");
  std::string bytes;  // SVG and CSV: the file's text
  io::Image image;    // PNG
  if (extension == ".png") {
    if (!state.fonts) throw InputError("PNG export renders with the window's fonts; export SVG without a window");
    image = render_figure(*plot.figure, 2.0f, FigureFonts{state.fonts->body, state.fonts->caption}, state.shaper);
  } else if (extension == ".svg") {
    bytes = report::svg(*plot.figure);
  } else if (extension == ".csv") {
    if (plot.csv.empty()) throw InputError("the figure " + plot.id + " has no table to export");
    bytes = plot.csv;
  } else {
    throw InputError("a figure exports to .png, .svg or .csv, not '" + path + "'");
  }
  std::shared_ptr<Inbox> inbox = state.inbox;
  return state.jobs.submit("export " + fs::path(path).filename().string(), [path, extension, bytes, image, inbox](jobs::JobContext&) {
    const fs::path parent = fs::path(path).parent_path();
    if (!parent.empty()) util::create_folders(parent, "export folder");
    if (extension == ".png") {
      io::save_png(path, image);
    } else {
      util::write_file_atomic(path, bytes);
    }
    inbox->post_status("exported " + path);
    return jobs::JobResult{};  // the outcome travels through the inbox
  }, {}, jobs::Lane::Short);
}

}  // namespace loupe::ui
