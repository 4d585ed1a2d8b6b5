#include "core/report/report_files.h"

#include <algorithm>
#include <optional>
#include <system_error>

#include "core/error.h"
#include "core/report/pdf_print.h"
#include "core/report/report_writers.h"
#include "core/util/atomic_file.h"

namespace loupe::report {

namespace fs = std::filesystem;

std::set<std::string> parse_report_formats(const std::string& list) {
  std::set<std::string> formats;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t end = std::min(list.find(',', start), list.size());
    const std::string word = list.substr(start, end - start);
    start = end + 1;
    if (word.empty()) continue;
    if (word != "html" && word != "md" && word != "json" && word != "pdf")
      throw InputError("--format takes html, md, json and pdf, not '" + word + "'");
    formats.insert(word);
  }
  if (formats.empty()) throw InputError("--format names no format");
  return formats;
}

WrittenReport write_report_files(const Report& report, const fs::path& out, const std::set<std::string>& formats) {
  util::create_folders(out);
  WrittenReport written;
  const fs::path html = out / "report.html";
  if (formats.count("html") || formats.count("pdf")) {
    util::write_file_atomic(html.string(), report_html(report));
    if (formats.count("html")) written.files.push_back(html.string());
  }
  if (formats.count("md")) {
    util::create_folders(out / "figures");
    for (const ReportSection& section : report.sections)
      for (const ReportFigure& figure : section.figures)
        util::write_file_atomic((out / "figures" / (figure.file_name + ".svg")).string(), figure.svg);
    for (const ReportSection& section : report.sections)
      for (const ReportImage& image : section.images)
        util::write_file_atomic((out / "figures" / (image.file_name + ".png")).string(), image.png);
    util::write_file_atomic((out / "report.md").string(), report_markdown(report));
    written.files.push_back((out / "report.md").string());
  }
  if (formats.count("json")) {
    util::write_file_atomic((out / "report.json").string(), report_json(report).dump(2) + "\n");
    written.files.push_back((out / "report.json").string());
  }
  util::write_file_atomic((out / "rerun.sh").string(), rerun_script(report));
  written.files.push_back((out / "rerun.sh").string());
  if (formats.count("pdf")) {
    if (const std::optional<std::string> chromium = find_chromium()) {
      print_pdf(*chromium, html, out / "report.pdf");
      written.files.push_back((out / "report.pdf").string());
    } else {
      written.pdf_skipped = true;
    }
    std::error_code ec;
    if (!formats.count("html")) fs::remove(html, ec);  // printed from, not asked for
  }
  return written;
}

}  // namespace loupe::report
