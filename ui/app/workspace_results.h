// What the results panels draw (Bias, Maps, Features, Feature page), read from a workspace's
// analyses/ and saes/ folders on a job, never on the UI thread: every study figure the report
// draws (core/report/study_figures.h), the per-layer summary and mitigation tables, each map's
// points with their labels, and each feature analysis' latents with their details. Torch-free.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/io/csv.h"
#include "core/jobs/job.h"
#include "core/report/plot.h"
#include "core/report/study_figures.h"

namespace loupe::ui {

struct FigureResult {
  report::StudyFigure figure;
  std::shared_ptr<const report::Plot> plot;  // null when the table could not be drawn (then `error`)
  std::string csv;                            // the table drawn
  std::string error;
};

// A table shown as it is (summary.csv of `loupe analyze summary`, a mitigation run's measures).
struct TableResult {
  std::string id;  // "layers/summary"
  io::CsvTable table;
  std::string csv;  // the table as CSV text, for export
};

// A map of `loupe analyze embed`: one point per store entry (or per latent for decoder maps).
struct MapResult {
  std::string id;  // "map/blocks.2.hook_resid_post-tsne"
  io::CsvTable table;
  std::vector<double> x, y;  // per row
  std::vector<std::string> label_columns;  // the columns to colour by: every column but x, y, entry, row, caption
  int entry_column = -1, image_column = -1, caption_column = -1, lang_column = -1;  // -1: absent
  std::string hook;  // store maps: the hook (from the file name HOOK-METHOD), empty for decoder maps
  std::string csv;   // the file's text, for CSV export
};

struct LatentExample {
  int64_t entry = 0, row = 0, position = 0;
  std::string image, language, token;
  double value = 0;
};

struct TokenEffect {
  std::string text;
  double effect = 0;
};

// One latent's page (latents.json of `loupe analyze features`).
struct LatentDetails {
  double log10_low = 0, log10_high = 0;  // the histogram's range of log10(activation)
  std::vector<double> histogram;         // counts
  std::vector<LatentExample> top;
  std::vector<std::pair<double, double>> quantile_ranges;     // [low, high) activations
  std::vector<std::vector<LatentExample>> quantile_examples;  // one list per range
  std::vector<TokenEffect> promoted, suppressed, promoted_arabic, promoted_latin;
  std::vector<std::pair<int64_t, double>> coactive;    // (latent, share of co-activation)
  std::vector<std::pair<int64_t, double>> neighbours;  // (latent, decoder cosine)
};

struct LatentsResult {
  std::string id;      // the analysis folder's name
  std::string sae, hook;
  io::CsvTable table;                        // latents.csv as read
  std::vector<std::string> columns;          // the numeric columns of latents.csv, in order
  std::vector<std::vector<double>> values;   // [latent][column]; NaN for an empty cell
  std::vector<std::string> language_specific;  // per latent: en, ar or empty
  std::vector<LatentDetails> details;          // per latent
  // The SAE never saw image tokens (every frequency_image is empty or 0): its patch heatmaps say
  // nothing (docs/gui.md).
  bool image_tokens_silent = false;
  size_t column(const std::string& name) const;  // InputError when absent
};

// A patch sweep (analyses/NAME/patch.csv) with what its runs.jsonl line says it swept; the
// Patching panel draws its figure (`figures`, id NAME/patch) and asks for a cell's captions.
struct PatchCellInfo {
  int64_t layer = 0, position = 0;
  std::string type, token;              // image, template or text; the token at the position
  int64_t grid_row = -1, grid_col = -1;  // image positions on the image's token grid
  double restored = 0;                  // the share of the gender effect restored; NaN when empty
};

struct PatchResult {
  std::string id;                          // NAME
  std::string clean_image, corrupt_image;  // empty when no run of patch-sweep --out NAME is logged
  std::string lang = "en", hook = "blocks.{l}.hook_resid_post";
  std::vector<PatchCellInfo> cells;  // patch.csv's rows
  int64_t layers = 0, grid_side = 0;
  const PatchCellInfo* cell(int64_t layer, int64_t position) const;  // null when the sweep has none
};

// A clean / corrupt pair the dataset suggests (study::counterfactual_pairs): one scene and activity.
struct PatchPair {
  std::string scene, activity, woman_image, man_image;
};

// One line of runs.jsonl, for the Study panel: finished, failed and interrupted runs survive a
// restart of the app.
struct RunEntry {
  std::string command, started, outcome, message;
  std::string out;         // its --out (the SAE, store or analysis name), when it has one
  nlohmann::json parameters;  // as runs.jsonl holds them (a resumed training reuses them)
  bool resumable = false;  // a train-sae run that did not finish and left a checkpoint
};

struct WorkspaceResults {
  std::string root;
  // The study figures, then per feature analysis and language (en, ar) its top latents
  // (report::top_latents_plot, id NAME/top-latents-LANG, section "latents").
  std::vector<FigureResult> figures;
  std::vector<TableResult> tables;
  std::vector<std::shared_ptr<const MapResult>> maps;
  std::vector<std::shared_ptr<const LatentsResult>> latents;
  std::vector<RunEntry> runs;         // oldest first
  std::vector<PatchResult> patches;
  std::vector<PatchPair> pairs;       // empty when the dataset has no gender, scene and activity columns
  std::vector<std::string> problems;  // files that could not be read, each with why
};

// Reads everything under `root`; a file that cannot be read becomes a problem and the rest goes on.
// Throws InputError when `root` is not a workspace.
WorkspaceResults read_workspace_results(const std::string& root, jobs::JobContext& job);

// The map's label in `column` for each row, and the distinct values in order of first appearance.
std::vector<std::string> map_labels(const MapResult& map, const std::string& column);

}  // namespace loupe::ui
