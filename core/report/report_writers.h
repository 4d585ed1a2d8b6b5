// The report's three forms (docs/reports.md): JSON with every number as read from its source,
// one self-contained HTML file (figures inlined as SVG, Arabic in dir="rtl" cells), and Markdown
// that names its figures as figures/FILE.svg beside it.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "core/report/report.h"

namespace loupe::report {

// Table cells that read as numbers become JSON numbers, empty cells null, the rest strings.
nlohmann::ordered_json report_json(const Report& report);
std::string report_html(const Report& report);
std::string report_markdown(const Report& report);

}  // namespace loupe::report
