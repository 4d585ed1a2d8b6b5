// `loupe report`: the study report of a workspace (core/report/report.h) as report.html (one
// self-contained file), report.md with figures/*.svg beside it, report.json with every number,
// and report.pdf printed by headless Chromium when it is installed. docs/reports.md.
#include <iostream>
#include <set>

#include "app/cli/commands.h"
#include "app/cli/model_args.h"
#include "core/error.h"
#include "core/report/report_files.h"
#include "core/study/latent_gallery.h"
#include "core/workspace/workspace.h"

namespace loupe::cli {

namespace fs = std::filesystem;

namespace {

// What the CLI's own command table says of an option, for the appendix' command lines.
report::OptionKind lookup_option(const std::string& command, const std::string& option) {
  for (const CommandSpec& spec : all_commands()) {
    if (spec.name != command) continue;
    for (const OptionSpec& o : spec.options)
      if (o.name == option) return {true, o.value_name.empty(), o.repeatable};
  }
  return {};
}

std::set<std::string> parse_formats(const std::string& list) {
  std::set<std::string> formats;
  for (const std::string& word : split_list(list)) {
    if (word != "html" && word != "md" && word != "json" && word != "pdf")
      throw InputError("--format takes html, md, json and pdf, not '" + word + "'");
    formats.insert(word);
  }
  if (formats.empty()) throw InputError("--format names no format");
  return formats;
}

int run_report(const Args& args) {
  const std::set<std::string> formats = parse_formats(args.get_or("format", "html,md,json"));
  const workspace::Workspace space = workspace::Workspace::open(args.get("workspace"));
  const fs::path out = args.has("out") ? fs::path(args.get("out")) : space.reports_dir() / "report";
  report::Report study = report::build_report(space, lookup_option);
  study::GalleryOptions gallery;
  gallery.latents_per_table = int(args.get_int("gallery", 3));
  if (gallery.latents_per_table < 0) throw InputError("--gallery is a count of latents, 0 or more");
  study::add_latent_gallery(study, space, load_options(args), gallery);

  const report::WrittenReport written = report::write_report_files(study, out, formats);
  if (written.pdf_skipped)
    std::cerr << "report.pdf was not written: no Chromium on PATH (install it with `sudo apt-get install chromium`, "
                 "or set LOUPE_CHROMIUM); the other formats were\n";
  size_t figures = 0, images = 0, problems = 0;
  for (const report::ReportSection& section : study.sections) {
    figures += section.figures.size();
    images += section.images.size();
    problems += section.problems.size();
  }
  for (const std::string& file : written.files) std::cout << "wrote " << file << "\n";
  std::cout << study.sections.size() << " sections, " << figures << " figures, " << images << " gallery images; " << study.missing.size()
            << " parts of a study not in the workspace yet";
  std::cout << (problems ? "; " + std::to_string(problems) + " files could not be read (named in the report)" : "") << "\n";
  for (const report::ReportSection& section : study.sections)
    for (const std::string& problem : section.problems) std::cerr << "could not read " << problem << "\n";
  return written.pdf_skipped ? 3 : 0;
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
