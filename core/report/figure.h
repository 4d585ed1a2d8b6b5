// A laid-out figure: a plot description (core/report/plot.h) turned into shapes in pixels, in
// drawing order. The screen back-end and the SVG writer draw exactly these shapes, so the two
// agree; they differ only in the fonts that render the text.
#pragma once
#include <string>
#include <variant>
#include <vector>

#include "core/report/plot.h"

namespace loupe::report {

struct Point {
  double x = 0, y = 0;  // pixels from the figure's top-left corner, y down
};

struct RectShape {
  Point min, max;
  Rgba fill;
  bool stroke = false;  // a 1-pixel outline in `outline`
  Rgba outline;
};

struct LineShape {
  std::vector<Point> points;  // a polyline
  Rgba colour;
  double width = 1;
};

struct CircleShape {
  Point centre;
  double radius = 2;
  Rgba fill;
};

enum class Anchor { Start, Middle, End };

struct TextShape {
  Point at;  // the anchor point on the text's baseline
  std::string text;  // UTF-8 in logical order; the back-end shapes Arabic right to left
  Anchor anchor = Anchor::Start;
  double size = 12;  // pixels
  Rgba colour;
  bool vertical = false;  // rotated 90° counter-clockwise about `at` (a y-axis label)
  bool bold = false;
};

using Shape = std::variant<RectShape, LineShape, CircleShape, TextShape>;

// Where the data sit: the plot area in pixels and the data range it shows, for hover and
// selection in the screen back-end.
struct PlotArea {
  Point min, max;  // pixels
  double x_low = 0, x_high = 1, y_low = 0, y_high = 1;  // data units at the area's edges
  Point to_pixels(double x, double y) const;
  Point to_data(Point pixels) const;  // the inverse, as {x, y} in data units
};

struct Figure {
  double width = 0, height = 0;
  std::vector<Shape> shapes;
  PlotArea area;
};

// Lays out `plot` on a width × height canvas (at least 160 × 120): title, axes with round ticks,
// the heatmap and its colour bar, the series, the legend and the caption. Text widths are
// estimated (0.55 em a character), so the layout does not depend on a font. Throws InputError as
// check_plot does, or for a canvas too small.
Figure lay_out(const Plot& plot, double width, double height);

// Round tick values covering [low, high]: about `target` of them at 1, 2 or 5 × 10^k steps.
std::vector<double> nice_ticks(double low, double high, int target = 6);

// A tick label: up to 4 significant digits, no trailing zeros, no "-0".
std::string tick_label(double value, double step);

}  // namespace loupe::report
