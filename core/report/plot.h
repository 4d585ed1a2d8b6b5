// A plot description: what a figure shows, in data units, and nothing about how it is drawn.
// report::lay_out (core/report/figure.h) turns it into shapes in pixels, which both back-ends draw
// as they are (ui/render/plot_view on screen, report::svg for files), so an exported figure is the
// figure on screen.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loupe::report {

struct Rgba {
  uint8_t r = 0, g = 0, b = 0, a = 255;
  bool operator==(const Rgba& other) const { return r == other.r && g == other.g && b == other.b && a == other.a; }
};

// The categorical colour of series i (Tableau 10, repeating).
Rgba palette_colour(size_t i);

// Diverging: blue (low), white (middle), red (high). Inferno: the polynomial fit the heatmap shader
// draws over images with (shaders/heatmap.frag), so an exported patch grid has the screen's colours.
enum class ColourMap { Viridis, Diverging, Inferno };
// The colour at t in [0, 1] (clamped).
Rgba colour_at(ColourMap map, double t);

enum class SeriesKind { Line, Scatter, Bars };

struct Series {
  std::string name;  // the legend entry; empty: not in the legend
  SeriesKind kind = SeriesKind::Line;
  std::vector<double> x, y;      // data units, equal lengths; a NaN y is a gap (no point, no bar)
  std::vector<double> error;     // empty, or ± half-widths of error bars, one per point
  std::optional<Rgba> colour;    // default: palette_colour of the series' index
  double marker_radius = 2.5;    // pixels: scatter points and line markers
};

// A scatter's marker radius for `points` points: 2.5 px, and 1.5 px past 2,000 points, where
// larger markers hide each other (and cost the screen back-end twice the vertices).
double scatter_marker_radius(size_t points);

// A series with the given points, no error bars and the default colour.
Series make_series(std::string name, SeriesKind kind, std::vector<double> x = {}, std::vector<double> y = {});

// A grid of values under the series: cell (r, c) spans x in [c - 0.5, c + 0.5] and y in
// [r - 0.5, r + 0.5], row 0 at the top.
struct Heatmap {
  int64_t rows = 0, cols = 0;
  std::vector<double> values;                   // [rows * cols], row-major; NaN: no value (grey)
  std::vector<std::string> row_labels, col_labels;  // empty, or one per row / column
  ColourMap map = ColourMap::Viridis;
  std::optional<double> low, high;              // the colour range; default the values' range
                                                // (Diverging: ±max |value|)
  std::string colour_bar_label;
};

struct Axis {
  std::string label;
  std::optional<double> min, max;       // default: the data's range with a margin
  std::vector<std::string> categories;  // non-empty: tick i reads categories[i], at x = i
};

struct Plot {
  std::string title;
  std::string caption;  // one line under the figure naming model, hook, SAE and data
  Axis x, y;
  std::vector<Series> series;
  std::optional<Heatmap> heatmap;
  bool legend = true;
};

// Throws InputError naming what is wrong: series with unequal x / y / error lengths, a heatmap
// whose values are not rows × cols or whose labels are neither empty nor one per row / column,
// min ≥ max on an axis, no data at all.
void check_plot(const Plot& plot);

}  // namespace loupe::report
