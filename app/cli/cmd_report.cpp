// `loupe report`: the study report of a workspace (core/report/report.h) as report.html (one
// self-contained file), report.md with figures/*.svg beside it, report.json with every number,
// and report.pdf printed by headless Chromium when it is installed. docs/reports.md.
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/model_args.h"
#include "core/error.h"
#include "core/study/study_report.h"

namespace loupe::cli {

namespace fs = std::filesystem;

namespace {

int run_report(const Args& args) {
  const workspace::Workspace space = workspace::Workspace::open(args.get("workspace"));
  study::StudyReportRequest request;
  request.formats = report::parse_report_formats(args.get_or("format", "html,md,json"));
  request.out = args.has("out") ? fs::path(args.get("out")) : space.reports_dir() / "report";
  request.gallery.latents_per_table = int(args.get_int("gallery", 3));
  if (request.gallery.latents_per_table < 0) throw InputError("--gallery is a count of latents, 0 or more");
  request.load = load_options(args);
  const study::StudyReport written = study::write_study_report(space, request, report_option_kind);
  if (written.written.pdf_skipped)
    std::cerr << "report.pdf was not written: no Chromium on PATH (install it with `sudo apt-get install chromium`, "
                 "or set LOUPE_CHROMIUM); the other formats were\n";
  for (const std::string& file : written.written.files) std::cout << "wrote " << file << "\n";
  std::cout << study::report_counts(written.report) << "\n";
  for (const report::ReportSection& section : written.report.sections)
    for (const std::string& problem : section.problems) std::cerr << "could not read " << problem << "\n";
  return written.written.pdf_skipped ? 3 : 0;
}

}  // namespace

CommandSpec report_command() {
  return {"report",
          "the study report of a workspace: HTML, Markdown, JSON with every number, PDF through headless Chromium",
          "loupe report --workspace DIR [--out DIR] [--format html,md,json,pdf] [--gallery N] [--device cpu|cuda] [--dtype f32|bf16|f16]",
          {{"workspace", "DIR", "workspace folder (loupe init)"},
           {"out", "DIR", "the report's folder (default DIR/reports/report)"},
           {"format", "LIST", "html, md, json, pdf (default html,md,json; pdf needs Chromium, exit status 3 without it)"},
           {"gallery", "N", "the top images and heatmaps of the first N latents of each top table (default 3; 0: none)"},
           {"dtype", "f32|bf16|f16", "the gallery's model dtype (default f32)"},
           {"device", "cpu|cuda", "the gallery's device (default cpu)"}},
          run_report};
}

}  // namespace loupe::cli
