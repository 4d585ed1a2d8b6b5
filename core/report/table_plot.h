// A plot of a result table: the CSV files every analysis writes (util::Table) read back and
// turned into a plot description (core/report/plot.h) by naming columns, as `loupe plot` does.
//
//   line / scatter / bars  x = column X (numeric, or categories in order of first appearance when
//                          any value is not a number; for bars always), one series per Y column and per distinct
//                          value of the group columns ("figure en"), ± the error column;
//   heatmap                one cell per row at (x = X, row = Y[0]), coloured by the value column;
//                          both axes' labels are the distinct values (numbers in numeric order).
// Rows first pass the filters: a row is kept when every column named in `where` holds its value,
// or one of its values separated by '|' ("component=attn|mlp"; an empty value keeps empty cells).
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/report/plot.h"

namespace loupe::report {

enum class PlotKind { Line, Scatter, Bars, Heatmap };
PlotKind parse_plot_kind(const std::string& word);  // line | scatter | bars | heatmap

struct TablePlotSpec {
  PlotKind kind = PlotKind::Line;
  std::string x;
  std::vector<std::string> y;         // at least one; the heatmap's row column is y[0]
  std::string error;                  // optional; only with one y column
  std::vector<std::string> group_by;  // optional
  std::vector<std::pair<std::string, std::string>> where;
  std::string value;                  // the heatmap's cell value column
  ColourMap colour_map = ColourMap::Viridis;
  std::string title, caption;
};

// Throws InputError naming the table (`name`) for an unknown column (listing the columns), a
// value that is not a number where one is needed, no rows left by the filters, two rows for one
// heatmap cell, an error column beside several y columns; FormatError for a malformed CSV.
Plot plot_from_csv(std::string_view csv, const std::string& name, const TablePlotSpec& spec);

}  // namespace loupe::report
