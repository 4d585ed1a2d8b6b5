// The figures a workspace's results make, found by file name: W/analyses/NAME/{probe, rank, lens,
// dla, latents, dose_response, patch, *-pca, *-tsne}.csv and W/saes/NAME/metrics.jsonl. One list,
// so the report (core/report/report.h) and the desktop app's Bias panel draw the same figures.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "core/report/plot.h"
#include "core/report/table_plot.h"
#include "core/workspace/workspace.h"

namespace loupe::report {

struct StudyFigure {
  std::string id;                 // "layers/probe", "saes/l2/mse": unique in a workspace
  std::string section;            // the report section: sae, latents, layers, maps, patching, steering
  std::filesystem::path source;   // the table drawn; a .jsonl (SAE metrics) is read as a table
  std::string command;            // the command that writes it, as runs.jsonl names it; its --out is the folder
  TablePlotSpec spec;             // columns, kind, title
};

// The figures whose source files exist under `workspace` (its analyses/ and saes/ folders), in
// folder-name order. Lists folders only; reads no table.
std::vector<StudyFigure> find_study_figures(const std::filesystem::path& workspace);

// The figure's source as CSV text: the file itself, or for a .jsonl one row per line with the
// numeric fields of the first line as columns. Throws IoError, FormatError.
std::string study_figure_table(const StudyFigure& figure);

// The figure's caption line: model and data of the workspace, the hook, hooks, SAE, store and split
// of the newest run of `runs` that wrote its table (its --out is the table's folder), that run, and
// the table's path in the workspace.
std::string study_figure_caption(const workspace::Workspace& ws, const std::vector<workspace::RunRecord>& runs,
                                 const StudyFigure& figure);

// Reads the source and makes the plot, with `caption` under it. Throws as plot_from_csv and
// study_figure_table do.
Plot load_study_figure(const StudyFigure& figure, const std::string& caption);

// A file name for a study figure's or result table's id: '/' as '-' ("layers/probe": "layers-probe").
std::string study_figure_file_name(const std::string& id);

}  // namespace loupe::report
