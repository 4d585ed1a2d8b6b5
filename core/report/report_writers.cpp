#include "core/report/report_writers.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <optional>
#include <vector>

#include "core/io/csv.h"
#include "core/report/svg.h"

namespace loupe::report {

namespace {

constexpr size_t kWidestTable = 12;  // columns; a wider table of a few rows is shown transposed

// A CSV cell as JSON: a number when the whole cell reads as one, null when empty.
nlohmann::ordered_json cell_json(const std::string& text) {
  if (text.empty()) return nullptr;
  const std::optional<double> v = io::parse_number(text);
  if (v && std::isfinite(*v)) return *v;
  return text;
}

// A number for reading: four significant digits; integers and text as they are.
std::string shown(const std::string& text) {
  const nlohmann::ordered_json value = cell_json(text);
  if (!value.is_number()) return text;
  const double v = value.get<double>();
  if (v == std::floor(v) && std::fabs(v) < 1e15) return text.find_first_of(".eE") == std::string::npos ? text : std::to_string(int64_t(v));
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", v);
  return buffer;
}

std::string shown(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  std::ostringstream text;
  text.precision(17);
  text << value.get<double>();
  return shown(text.str());
}

// The SVG document without its XML declaration, to sit inside HTML.
std::string inline_svg(const std::string& svg) {
  const size_t start = svg.find("<svg");
  return start == std::string::npos ? svg : svg.substr(start);
}

std::string base64(const std::string& bytes) {
  static const char* kDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const uint32_t b0 = uint8_t(bytes[i]), b1 = i + 1 < bytes.size() ? uint8_t(bytes[i + 1]) : 0, b2 = i + 2 < bytes.size() ? uint8_t(bytes[i + 2]) : 0;
    const uint32_t triple = b0 << 16 | b1 << 8 | b2;
    out += kDigits[triple >> 18 & 63];
    out += kDigits[triple >> 12 & 63];
    out += i + 1 < bytes.size() ? kDigits[triple >> 6 & 63] : '=';
    out += i + 2 < bytes.size() ? kDigits[triple & 63] : '=';
  }
  return out;
}

// The lines under a gallery image: the latent and its stored activation, the caption, its peak.
std::vector<std::string> image_caption(const ReportImage& image) {
  char activation[32];
  std::snprintf(activation, sizeof activation, "%.4g", image.activation);
  std::vector<std::string> lines{"latent " + std::to_string(image.latent) + " · " + std::filesystem::path(image.image).filename().string() +
                                     " · stored top activation " + activation,
                                 "caption (" + image.language + "): " + image.caption};
  if (!image.peak.empty()) lines.push_back(image.peak);
  return lines;
}

std::string html_cell(const char* tag, const std::string& text) {
  const std::string open = has_arabic(text) ? std::string("<") + tag + " dir=\"rtl\" lang=\"ar\">" : std::string("<") + tag + ">";
  return open + xml_escape(text) + "</" + tag + ">";
}

std::string html_text(const std::string& text) {
  return has_arabic(text) ? "<span dir=\"rtl\" lang=\"ar\">" + xml_escape(text) + "</span>" : xml_escape(text);
}

const char* kStyle = R"(body { font-family: "DejaVu Sans", "Noto Sans Arabic", sans-serif; max-width: 1000px; margin: 2em auto; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.3em; border-bottom: 1px solid #ccc; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.85em; }
th, td { border: 1px solid #ddd; padding: 2px 6px; text-align: left; } td:last-child { overflow-wrap: anywhere; min-width: 34ch; } td[dir=rtl] { text-align: right; }
caption { text-align: left; font-weight: bold; padding: 4px 0; }
.source, .runs { color: #666; font-size: 0.8em; } .problem { color: #a00; }
figure { margin: 1em 0; page-break-inside: avoid; } h3 { font-size: 1em; }
.gallery { display: flex; flex-wrap: wrap; gap: 10px; } figure.latent { width: 224px; margin: 0; font-size: 0.75em; } figure.latent img { width: 224px; height: 224px; } pre { white-space: pre-wrap; font-size: 0.8em; background: #f6f6f6; padding: 0.8em; }
@media print { body { max-width: none; margin: 0; } h2 { page-break-after: avoid; } table { page-break-inside: avoid; } }
)";

void html_section(std::ostringstream& out, const ReportSection& section) {
  out << "<section id=\"" << xml_escape(section.id) << "\">\n<h2>" << xml_escape(section.title) << "</h2>\n";
  for (const std::string& problem : section.problems) out << "<p class=\"problem\">Could not read " << html_text(problem) << "</p>\n";
  for (const std::string& note : section.notes) out << "<p>" << html_text(note) << "</p>\n";
  if (!section.values.empty()) {
    out << "<table>\n<tr><th>measure</th><th>value</th><th>source</th></tr>\n";
    for (const ReportValue& v : section.values)
      out << "<tr>" << html_cell("td", v.label) << html_cell("td", shown(v.value)) << "<td class=\"source\">"
          << xml_escape(v.source + "#" + v.pointer) << "</td></tr>\n";
    out << "</table>\n";
  }
  for (const ReportFigure& figure : section.figures) out << "<figure id=\"" << xml_escape(figure.file_name) << "\">\n" << inline_svg(figure.svg) << "</figure>\n";
  for (size_t i = 0; i < section.images.size(); ++i) {
    const ReportImage& image = section.images[i];
    if (i == 0 || image.group != section.images[i - 1].group) {
      if (i) out << "</div>\n";
      out << "<h3>" << html_text(image.group) << ": top images, the latent's heatmap over the patches</h3>\n<div class=\"gallery\">\n";
    }
    out << "<figure class=\"latent\" id=\"" << xml_escape(image.file_name) << "\"><img alt=\"latent " << image.latent << "\" src=\"data:image/png;base64,"
        << base64(image.png) << "\"><figcaption>";
    const std::vector<std::string> lines = image_caption(image);  // in a left-to-right paragraph; the caption isolated
    out << xml_escape(lines[0]) << "<br>caption (" << image.language << "): <bdi" << (has_arabic(image.caption) ? " dir=\"rtl\" lang=\"ar\"" : "")
        << ">" << xml_escape(image.caption) << "</bdi>";
    if (!image.peak.empty()) out << "<br>" << xml_escape(image.peak);
    out << "</figcaption></figure>\n";
    if (i + 1 == section.images.size()) out << "</div>\n";
  }
  for (const ReportTable& table : section.tables) {
    out << "<table>\n<caption>" << html_text(table.title);
    if (!table.source.empty()) out << " <span class=\"source\">(" << xml_escape(table.source) << ")</span>";
    out << "</caption>\n";
    if (table.columns.size() > kWidestTable && table.rows.size() <= kWidestTable / 2) {
      // Too wide for a page: one line per column instead.
      for (size_t c = 0; c < table.columns.size(); ++c) {
        out << "<tr>" << html_cell("th", table.columns[c]);
        for (const std::vector<std::string>& row : table.rows) out << html_cell("td", c < row.size() ? shown(row[c]) : "");
        out << "</tr>\n";
      }
    } else {
      out << "<tr>";
      for (const std::string& column : table.columns) out << html_cell("th", column);
      out << "</tr>\n";
      for (const std::vector<std::string>& row : table.rows) {
        out << "<tr>";
        for (const std::string& cell : row) out << html_cell("td", shown(cell));
        out << "</tr>\n";
      }
    }
    out << "</table>\n";
  }
  if (!section.runs.empty()) {
    out << "<p class=\"runs\">From the runs: ";
    for (size_t i = 0; i < section.runs.size(); ++i) out << (i ? "; " : "") << xml_escape(section.runs[i]);
    out << " (runs.jsonl).</p>\n";
  }
  out << "</section>\n";
}

std::string markdown_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out;
}

}  // namespace

nlohmann::ordered_json report_json(const Report& report) {
  nlohmann::ordered_json out;
  out["workspace"] = report.workspace;
  out["generated"] = report.generated;
  nlohmann::ordered_json sections = nlohmann::ordered_json::array();
  for (const ReportSection& section : report.sections) {
    nlohmann::ordered_json s;
    s["id"] = section.id;
    s["title"] = section.title;
    s["notes"] = section.notes;
    s["runs"] = section.runs;
    s["problems"] = section.problems;
    nlohmann::ordered_json values = nlohmann::ordered_json::array();
    for (const ReportValue& v : section.values)
      values.push_back(nlohmann::ordered_json{{"label", v.label}, {"source", v.source}, {"pointer", v.pointer}, {"value", v.value}});
    s["values"] = std::move(values);
    nlohmann::ordered_json tables = nlohmann::ordered_json::array();
    for (const ReportTable& table : section.tables) {
      nlohmann::ordered_json rows = nlohmann::ordered_json::array();
      for (const std::vector<std::string>& row : table.rows) {
        nlohmann::ordered_json object = nlohmann::ordered_json::object();
        for (size_t c = 0; c < table.columns.size() && c < row.size(); ++c) object[table.columns[c]] = cell_json(row[c]);
        rows.push_back(std::move(object));
      }
      tables.push_back(nlohmann::ordered_json{{"title", table.title}, {"source", table.source}, {"columns", table.columns}, {"rows", std::move(rows)}});
    }
    s["tables"] = std::move(tables);
    nlohmann::ordered_json figures = nlohmann::ordered_json::array();
    for (const ReportFigure& figure : section.figures)
      figures.push_back(nlohmann::ordered_json{{"id", figure.id}, {"title", figure.title}, {"file", "figures/" + figure.file_name + ".svg"}});
    s["figures"] = std::move(figures);
    nlohmann::ordered_json images = nlohmann::ordered_json::array();
    for (const ReportImage& image : section.images)
      images.push_back(nlohmann::ordered_json{{"group", image.group}, {"file", "figures/" + image.file_name + ".png"}, {"source", image.source},
                                              {"latent", image.latent}, {"language", image.language}, {"image", image.image},
                                              {"activation", image.activation}, {"caption", image.caption}, {"peak", image.peak},
                                              {"heat_low", image.heat_low}, {"heat_high", image.heat_high}});
    s["images"] = std::move(images);
    sections.push_back(std::move(s));
  }
  out["sections"] = std::move(sections);
  out["missing"] = report.missing;
  out["commands"] = report.commands;
  return out;
}

std::string report_html(const Report& report) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>loupe study report</title>\n<style>\n"
      << kStyle << "</style>\n</head>\n<body>\n<h1>Study report</h1>\n<p>Workspace " << xml_escape(report.workspace) << ", generated "
      << xml_escape(report.generated) << " by loupe.</p>\n";
  if (!report.missing.empty()) {
    out << "<p>Not in this workspace yet:</p>\n<ul>\n";
    for (const std::string& missing : report.missing) out << "<li>" << xml_escape(missing) << "</li>\n";
    out << "</ul>\n";
  }
  for (const ReportSection& section : report.sections) html_section(out, section);
  out << "<section id=\"appendix\">\n<h2>Appendix: the commands that re-run the study</h2>\n"
      << "<p>Every successful run of runs.jsonl, oldest first, with the options it recorded (also rerun.sh beside this file).</p>\n<pre>"
      << xml_escape(rerun_script(report)) << "</pre>\n</section>\n</body>\n</html>\n";
  return out.str();
}

std::string report_markdown(const Report& report) {
  std::ostringstream out;
  out << "# Study report\n\nWorkspace `" << report.workspace << "`, generated " << report.generated << " by loupe.\n\n";
  if (!report.missing.empty()) {
    out << "Not in this workspace yet:\n\n";
    for (const std::string& missing : report.missing) out << "- " << missing << "\n";
    out << "\n";
  }
  for (const ReportSection& section : report.sections) {
    out << "## " << section.title << "\n\n";
    for (const std::string& problem : section.problems) out << "**Could not read** " << problem << "\n\n";
    for (const std::string& note : section.notes) out << note << "\n\n";
    if (!section.values.empty()) {
      out << "| measure | value | source |\n| --- | --- | --- |\n";
      for (const ReportValue& v : section.values)
        out << "| " << markdown_escape(v.label) << " | " << markdown_escape(shown(v.value)) << " | " << v.source << "#" << v.pointer << " |\n";
      out << "\n";
    }
    for (const ReportFigure& figure : section.figures) out << "![" << figure.title << "](figures/" << figure.file_name << ".svg)\n\n";
    for (size_t i = 0; i < section.images.size(); ++i) {
      const ReportImage& image = section.images[i];
      if (i == 0 || image.group != section.images[i - 1].group) out << "**" << markdown_escape(image.group) << ": top images**\n\n";
      std::string alt;
      for (const std::string& line : image_caption(image)) alt += (alt.empty() ? "" : " · ") + line;
      out << "![" << markdown_escape(alt) << "](figures/" << image.file_name << ".png)\n\n";
    }
    for (const ReportTable& table : section.tables) {
      out << "**" << markdown_escape(table.title) << "**" << (table.source.empty() ? "" : " (" + table.source + ")") << "\n\n|";
      for (const std::string& column : table.columns) out << " " << markdown_escape(column) << " |";
      out << "\n|";
      for (size_t c = 0; c < table.columns.size(); ++c) out << " --- |";
      out << "\n";
      for (const std::vector<std::string>& row : table.rows) {
        out << "|";
        for (const std::string& cell : row) out << " " << markdown_escape(shown(cell)) << " |";
        out << "\n";
      }
      out << "\n";
    }
    if (!section.runs.empty()) {
      out << "_From the runs:";
      for (size_t i = 0; i < section.runs.size(); ++i) out << (i ? ";" : "") << " " << section.runs[i];
      out << "._\n\n";
    }
  }
  out << "## Appendix: the commands that re-run the study\n\n```sh\n" << rerun_script(report) << "```\n";
  return out.str();
}

}  // namespace loupe::report
