// `loupe plot`: a figure of any result table (the CSV files the analyses write), drawn by the plot
// layer (core/report) and written as SVG: the figure the desktop app draws on screen.
#include <iostream>

#include "app/cli/commands.h"
#include "core/error.h"
#include "core/report/figure.h"
#include "core/report/svg.h"
#include "core/report/table_plot.h"
#include "core/util/atomic_file.h"

namespace loupe::cli {

namespace {

report::ColourMap parse_colour_map(const std::string& word) {
  if (word == "viridis") return report::ColourMap::Viridis;
  if (word == "diverging") return report::ColourMap::Diverging;
  throw InputError("--colours is viridis or diverging, not '" + word + "'");
}

report::TablePlotSpec plot_spec(const Args& args) {
  report::TablePlotSpec spec;
  spec.kind = report::parse_plot_kind(args.get_or("kind", "line"));
  spec.x = args.get("x");
  spec.y = split_list(args.get("y"));
  spec.error = args.get_or("error", "");
  spec.group_by = split_list(args.get_or("group", ""));
  for (const std::string& filter : args.all("where")) {
    const size_t equals = filter.find('=');
    if (equals == std::string::npos || equals == 0) throw InputError("--where takes COLUMN=VALUE, not '" + filter + "'");
    spec.where.push_back({filter.substr(0, equals), filter.substr(equals + 1)});
  }
  spec.value = args.get_or("value", "");
  spec.colour_map = parse_colour_map(args.get_or("colours", "viridis"));
  spec.title = args.get_or("title", "");
  spec.caption = args.get_or("caption", "");
  return spec;
}

int run_plot(const Args& args) {
  const std::string table = args.get("table"), out = args.get("out");
  const report::TablePlotSpec spec = plot_spec(args);
  const double width = args.get_double("width", 640), height = args.get_double("height", 400);
  const report::Plot plot = report::plot_from_csv(util::read_file(table), table, spec);
  const report::Figure figure = report::lay_out(plot, width, height);
  util::write_file_atomic(out, report::svg(figure));
  size_t points = 0;
  for (const report::Series& series : plot.series) points += series.x.size();
  std::cout << "wrote " << out << " (" << int(width) << " x " << int(height) << " px; "
            << (plot.heatmap ? std::to_string(plot.heatmap->rows) + " x " + std::to_string(plot.heatmap->cols) + " cells"
                             : std::to_string(plot.series.size()) + " series, " + std::to_string(points) + " points")
            << ")\n";
  return 0;
}

}  // namespace

CommandSpec plot_command() {
  return {"plot",
          "draw a result table (any analysis CSV) as an SVG figure: lines, scatter, bars or a heatmap",
          "loupe plot --table FILE.csv --x COL --y COL[,COL...] [--kind line|scatter|bars|heatmap] [--error COL] "
          "[--group COL[,COL]] [--where COL=VALUE]... [--value COL] [--colours viridis|diverging] [--title T] "
          "[--caption T] [--width 640] [--height 400] --out FIG.svg",
          {{"table", "FILE.csv", "a result table, e.g. W/analyses/NAME/probe.csv"},
           {"x", "COL", "the x column (categories when a value is not a number); a heatmap's column axis"},
           {"y", "COL[,COL...]", "the y columns, one series each; a heatmap's row column"},
           {"kind", "KIND", "line (default), scatter, bars or heatmap"},
           {"error", "COL", "± error bars from this column (one y column)"},
           {"group", "COL[,COL]", "one series per distinct value of these columns, e.g. target,lang"},
           {"where", "COL=VALUE", "keep only rows whose COL holds VALUE", true},
           {"value", "COL", "the heatmap's cell values"},
           {"colours", "MAP", "the heatmap's colour map: viridis (default) or diverging (blue, white, red)"},
           {"title", "TEXT", "the title"},
           {"caption", "TEXT", "the line under the figure: model, hook, SAE and data"},
           {"width", "PX", "figure width in pixels (default 640)"},
           {"height", "PX", "figure height in pixels (default 400)"},
           {"out", "FIG.svg", "the SVG file written"}},
          run_plot};
}

}  // namespace loupe::cli
