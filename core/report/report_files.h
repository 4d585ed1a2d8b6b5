// The report written into a folder in the formats asked for (what `loupe report` and the GUI's
// export both do): report.html, report.md with figures/*.svg and *.png beside it, report.json,
// report.pdf through headless Chromium, and always rerun.sh. Each file is written atomically.
#pragma once
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "core/report/report.h"

namespace loupe::report {

struct WrittenReport {
  std::vector<std::string> files;  // in the order written
  bool pdf_skipped = false;        // pdf was asked for and no Chromium was found
};

// `formats`: any of html, md, json, pdf. Throws IoError when `out` cannot be created and as print_pdf does when Chromium fails.
// The formats of a comma-separated list ("html,md,json,pdf"). Throws InputError for a word that is
// none of them ("--format takes html, md, json and pdf, not 'x'") or an empty list.
std::set<std::string> parse_report_formats(const std::string& list);

WrittenReport write_report_files(const Report& report, const std::filesystem::path& out, const std::set<std::string>& formats);

}  // namespace loupe::report
