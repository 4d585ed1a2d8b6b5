// A study report: what a workspace holds, section by section, each number named with the file
// and the run it came from (docs/reports.md). build_report reads; the writers (report_writers.h)
// turn the result into HTML, Markdown and JSON. Torch-free.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/report/provenance.h"
#include "core/workspace/workspace.h"

namespace loupe::report {

// One number read from a JSON result file, at a JSON pointer ("/en/baseline/bleu").
struct ReportValue {
  std::string label;
  std::string source;   // relative to the workspace
  std::string pointer;
  nlohmann::json value;
};

// Rows of a result table, their cells verbatim from the source: a CSV's rows (all, or a
// selection such as the top latents) restricted to `columns`, or text drawn from a JSON file.
struct ReportTable {
  std::string title;
  std::string source;  // relative to the workspace; empty for a table the report computes (checksums)
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};

struct ReportFigure {
  std::string id, title;
  std::string file_name;  // without extension: figures/FILE.svg beside report.md
  std::string svg;        // the whole SVG document
};

// A latent's top image with the latent's heatmap over it (core/study/latent_gallery.h draws them).
struct ReportImage {
  std::string group;      // the table that chose the latent: "l2-caption: most female latents in English"
  std::string file_name;  // without extension: figures/FILE.png beside report.md
  std::string png;        // the encoded file
  std::string source;     // latents.json the example came from, relative to the workspace
  int64_t latent = 0;
  std::string language;   // en | ar
  std::string image;      // the example's image path as latents.json has it
  double activation = 0;  // its stored top activation (latents.json top_examples)
  std::string caption;    // the model's caption of the image now, in `language`
  std::string peak;       // the caption token where the latent is strongest, and its value
  float heat_low = 0, heat_high = 0;  // the heatmap's colour range over the patches
};

// The latents a top table of the latents section lists, in order, for the gallery.
struct LatentPick {
  std::string title;   // as the table's
  std::string folder;  // the analysis folder, relative to the workspace
  std::string sae;     // its summary.json "sae"; empty when unknown
  std::string language;
  std::vector<int64_t> latents;
};

struct ReportSection {
  std::string id, title;
  std::vector<std::string> notes;  // paragraphs of plain text
  std::vector<ReportValue> values;
  std::vector<ReportTable> tables;
  std::vector<ReportFigure> figures;
  std::vector<ReportImage> images;
  std::vector<std::string> runs;      // the runs (run_label) that wrote the section's files
  std::vector<std::string> problems;  // a file that could not be read, and why; the rest goes on
};

struct Report {
  std::string workspace;  // absolute path
  std::string generated;  // UTC time
  std::vector<ReportSection> sections;
  std::vector<std::string> missing;  // what the workspace does not hold yet, with the command that makes it
  std::vector<std::string> commands;  // the appendix: every successful run as a command line on "$W"
  std::vector<LatentPick> latent_picks;
};

// The appendix as a bash script: W defaults to a new folder beside the workspace ("WS-rerun"),
// then every command of `report.commands`. Written as rerun.sh beside the report.
std::string rerun_script(const Report& report);

// Reads everything the workspace holds. Never throws for a file that is missing or corrupt: the
// section names it in `problems` and the report goes on. `options` tells which recorded
// parameters are options of their command (for the appendix' command lines).
Report build_report(const workspace::Workspace& workspace, const OptionLookup& options);

}  // namespace loupe::report
