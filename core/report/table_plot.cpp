#include "core/report/table_plot.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

#include "core/error.h"
#include "core/io/csv.h"

namespace loupe::report {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The rows of the table that pass the --where filters.
struct Rows : io::CsvTable {
  // The cell as a number: empty is NaN (a gap), anything else that is not a number is an error.
  double number(const io::CsvRecord& row, size_t column) const {
    const std::string& text = at(row, column);
    if (text.empty()) return kNaN;
    const std::optional<double> v = io::parse_number(text);
    if (!v)
      throw InputError(name + " line " + std::to_string(row.line) + ": column '" + header[column] + "' holds '" + text +
                       "', not a number");
    return *v;
  }
};

// "attn|mlp" -> {"attn", "mlp"}; "" -> {""} (the empty cell).
std::vector<std::string> split_alternatives(const std::string& values) {
  std::vector<std::string> out(1);
  for (char c : values) {
    if (c == '|') out.emplace_back();
    else out.back() += c;
  }
  return out;
}

Rows read_rows(std::string_view csv, const std::string& name, const TablePlotSpec& spec) {
  Rows rows{io::parse_csv_table(csv, name)};
  std::vector<std::pair<size_t, std::vector<std::string>>> filters;  // column, the values it may hold
  for (const auto& [column, values] : spec.where) filters.push_back({rows.column(column), split_alternatives(values)});
  const auto dropped = std::remove_if(rows.rows.begin(), rows.rows.end(), [&](const io::CsvRecord& record) {
    return !std::all_of(filters.begin(), filters.end(), [&](const auto& f) {
      return std::find(f.second.begin(), f.second.end(), rows.at(record, f.first)) != f.second.end();
    });
  });
  rows.rows.erase(dropped, rows.rows.end());
  if (rows.rows.empty()) throw InputError(name + " has no rows" + std::string(spec.where.empty() ? "" : " that pass the --where filters"));
  return rows;
}

// The distinct values of a column as axis categories: numeric order when all are numbers,
// otherwise the order of first appearance; `index` maps each value to its position.
struct Categories {
  std::vector<std::string> labels;
  std::map<std::string, size_t> index;
  bool numeric = true;
};

Categories categories(const Rows& rows, size_t column) {
  Categories out;
  std::vector<std::string> seen;
  for (const io::CsvRecord& row : rows.rows) {
    const std::string& v = rows.at(row, column);
    if (out.index.count(v)) continue;
    out.index[v] = seen.size();
    seen.push_back(v);
    out.numeric = out.numeric && io::parse_number(v).has_value();
  }
  if (out.numeric)
    std::stable_sort(seen.begin(), seen.end(), [](const std::string& a, const std::string& b) { return *io::parse_number(a) < *io::parse_number(b); });
  for (size_t i = 0; i < seen.size(); ++i) out.index[seen[i]] = i;
  out.labels = std::move(seen);
  return out;
}

Plot heatmap_plot(const Rows& rows, const TablePlotSpec& spec) {
  if (spec.value.empty()) throw InputError("a heatmap needs the column of its cell values (--value)");
  const size_t x = rows.column(spec.x), y = rows.column(spec.y.front()), value = rows.column(spec.value);
  const Categories cols = categories(rows, x), row_values = categories(rows, y);
  Heatmap map;
  map.rows = int64_t(row_values.labels.size());
  map.cols = int64_t(cols.labels.size());
  map.values.assign(size_t(map.rows * map.cols), kNaN);
  map.row_labels = row_values.labels;
  map.col_labels = cols.labels;
  map.map = spec.colour_map;
  map.colour_bar_label = spec.value;
  std::vector<bool> filled(map.values.size(), false);
  for (const io::CsvRecord& row : rows.rows) {
    const size_t cell = row_values.index.at(rows.at(row, y)) * size_t(map.cols) + cols.index.at(rows.at(row, x));
    if (filled[cell])
      throw InputError(rows.name + " line " + std::to_string(row.line) + " gives cell (" + spec.x + " " + rows.at(row, x) + ", " +
                       spec.y.front() + " " + rows.at(row, y) + ") a second time; filter the rows with --where");
    filled[cell] = true;
    map.values[cell] = rows.number(row, value);
  }
  Plot plot;
  plot.heatmap = std::move(map);
  plot.x.label = spec.x;
  plot.y.label = spec.y.front();
  return plot;
}

Plot series_plot(const Rows& rows, const TablePlotSpec& spec) {
  if (!spec.error.empty() && spec.y.size() != 1) throw InputError("--error goes with one y column, not " + std::to_string(spec.y.size()));
  const size_t x = rows.column(spec.x);
  std::vector<size_t> ys, groups;
  for (const std::string& column : spec.y) ys.push_back(rows.column(column));
  for (const std::string& column : spec.group_by) groups.push_back(rows.column(column));
  const bool has_error = !spec.error.empty();
  const size_t error = has_error ? rows.column(spec.error) : 0;

  Plot plot;
  const Categories xs = categories(rows, x);
  // Bars stand at categories, numeric ones too (layer 0, 1, 2: one group of bars each, no 0.5 ticks).
  const bool categorical = !xs.numeric || spec.kind == PlotKind::Bars;
  if (categorical) plot.x.categories = xs.labels;
  const SeriesKind kind = spec.kind == PlotKind::Bars ? SeriesKind::Bars : spec.kind == PlotKind::Scatter ? SeriesKind::Scatter : SeriesKind::Line;
  std::map<std::string, size_t> series_of;  // "y column | group values" -> index
  for (const io::CsvRecord& row : rows.rows) {
    std::string group;
    for (size_t g : groups) group += (group.empty() ? "" : " ") + rows.at(row, g);
    for (size_t k = 0; k < ys.size(); ++k) {
      std::string name = ys.size() > 1 || group.empty() ? spec.y[k] : "";
      name += (name.empty() || group.empty() ? "" : " ") + group;
      auto [it, added] = series_of.insert({name, plot.series.size()});
      if (added) plot.series.push_back(make_series(name, kind));
      Series& s = plot.series[it->second];
      s.x.push_back(categorical ? double(xs.index.at(rows.at(row, x))) : rows.number(row, x));
      s.y.push_back(rows.number(row, ys[k]));
      if (has_error) s.error.push_back(rows.number(row, error));
    }
  }
  if (kind == SeriesKind::Line)  // a line joins its points in x order
    for (Series& s : plot.series) {
      std::vector<size_t> order(s.x.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return s.x[a] < s.x[b]; });
      Series sorted = make_series(s.name, s.kind);
      for (size_t i : order) {
        sorted.x.push_back(s.x[i]);
        sorted.y.push_back(s.y[i]);
        if (!s.error.empty()) sorted.error.push_back(s.error[i]);
      }
      s = std::move(sorted);
    }
  if (kind == SeriesKind::Scatter) {
    size_t points = 0;
    for (const Series& s : plot.series) points += s.x.size();
    for (Series& s : plot.series) s.marker_radius = scatter_marker_radius(points);
  }
  plot.legend = plot.series.size() > 1;
  plot.x.label = spec.x;
  plot.y.label = spec.y.size() == 1 ? spec.y.front() : "";
  return plot;
}

}  // namespace

PlotKind parse_plot_kind(const std::string& word) {
  if (word == "line") return PlotKind::Line;
  if (word == "scatter") return PlotKind::Scatter;
  if (word == "bars") return PlotKind::Bars;
  if (word == "heatmap") return PlotKind::Heatmap;
  throw InputError("the plot kind is line, scatter, bars or heatmap, not '" + word + "'");
}

Plot plot_from_csv(std::string_view csv, const std::string& name, const TablePlotSpec& spec) {
  if (spec.x.empty() || spec.y.empty()) throw InputError("a table plot names its x column and at least one y column");
  const Rows rows = read_rows(csv, name, spec);
  Plot plot = spec.kind == PlotKind::Heatmap ? heatmap_plot(rows, spec) : series_plot(rows, spec);
  plot.title = spec.title;
  plot.caption = spec.caption;
  check_plot(plot);
  return plot;
}

}  // namespace loupe::report
