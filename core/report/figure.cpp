#include "core/report/figure.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <tuple>

#include "core/error.h"
#include "core/util/utf8.h"

namespace loupe::report {

namespace {

constexpr double kTitleSize = 14, kLabelSize = 12, kTickSize = 10, kCaptionSize = 10, kLegendSize = 11;
constexpr double kTickLength = 4, kColourBarWidth = 14;
const Rgba kBlack{0, 0, 0, 255}, kGrey{90, 90, 90, 255}, kGrid{225, 225, 225, 255}, kWhite{255, 255, 255, 255},
    kMissing{200, 200, 200, 255};

RectShape filled_rect(Point min, Point max, Rgba fill) {
  RectShape rect;
  rect.min = min;
  rect.max = max;
  rect.fill = fill;
  return rect;
}

// A transparent rectangle with a 1-pixel outline.
RectShape outlined_rect(Point min, Point max, Rgba outline) {
  RectShape rect = filled_rect(min, max, {0, 0, 0, 0});
  rect.stroke = true;
  rect.outline = outline;
  return rect;
}

double text_width(const std::string& text, double size) {
  size_t characters = 0;
  for (size_t i = 0; i < text.size(); i += util::utf8_length(static_cast<unsigned char>(text[i]))) ++characters;
  return 0.55 * size * double(characters);
}

struct Range {
  double low = std::numeric_limits<double>::infinity(), high = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!std::isfinite(v)) return;
    low = std::min(low, v);
    high = std::max(high, v);
  }
  bool empty() const { return !(low <= high); }
};

// The data range widened by 5% a side (a single value: by 1 a side), then the axis' own limits.
std::pair<double, double> axis_range(Range range, const Axis& axis) {
  if (range.empty()) range = {0, 1};
  double low = range.low, high = range.high;
  const double pad = high > low ? 0.05 * (high - low) : 1.0;
  low -= pad;
  high += pad;
  if (axis.min) low = *axis.min;
  if (axis.max) high = *axis.max;
  if (!(low < high)) high = low + 1;
  return {low, high};
}

struct Tick {
  double at;
  std::string label;
};

// Category ticks at 0 .. n-1, every k-th so that labels of width `label_width` fit in `pixels`.
std::vector<Tick> category_ticks(const std::vector<std::string>& labels, double pixels, double size, bool horizontal) {
  double widest = size;
  if (horizontal)
    for (const std::string& label : labels) widest = std::max(widest, text_width(label, size) + 6);
  const size_t every = std::max<size_t>(1, size_t(std::ceil(widest * double(labels.size()) / std::max(pixels, 1.0))));
  std::vector<Tick> ticks;
  for (size_t i = 0; i < labels.size(); i += every) ticks.push_back({double(i), labels[i]});
  return ticks;
}

std::vector<Tick> numeric_ticks(double low, double high, bool integers_only) {
  const std::vector<double> values = nice_ticks(std::min(low, high), std::max(low, high));
  double step = values.size() > 1 ? values[1] - values[0] : 1;
  if (integers_only) step = std::max(step, 1.0);  // grid cells 0, 1, 2 read "0", not "0.0"
  std::vector<Tick> ticks;
  for (double v : values)
    if (!integers_only || v == std::round(v)) ticks.push_back({v, tick_label(v, step)});
  return ticks;
}

std::vector<Tick> axis_ticks(const Axis& axis, const std::vector<std::string>& grid_labels, int64_t grid_size, double low,
                             double high, double pixels, bool horizontal) {
  if (!axis.categories.empty()) return category_ticks(axis.categories, pixels, kTickSize, horizontal);
  if (!grid_labels.empty()) return category_ticks(grid_labels, pixels, kTickSize, horizontal);
  std::vector<Tick> ticks = numeric_ticks(low, high, grid_size > 0);
  if (grid_size > 0)
    ticks.erase(std::remove_if(ticks.begin(), ticks.end(), [&](const Tick& t) { return t.at < 0 || t.at >= double(grid_size); }),
                ticks.end());
  return ticks;
}

double widest_label(const std::vector<Tick>& ticks) {
  double widest = 0;
  for (const Tick& tick : ticks) widest = std::max(widest, text_width(tick.label, kTickSize));
  return widest;
}

struct ColourRange {
  double low = 0, high = 1;
  double t(double v) const { return high > low ? (v - low) / (high - low) : 0.5; }
};

ColourRange heatmap_range(const Heatmap& map) {
  Range range;
  for (double v : map.values) range.add(v);
  if (range.empty()) range = {0, 1};
  ColourRange colours{range.low, range.high};
  if (map.map == ColourMap::Diverging) {
    const double reach = std::max({std::abs(range.low), std::abs(range.high), 1e-12});
    colours = {-reach, reach};
  }
  if (map.low) colours.low = *map.low;
  if (map.high) colours.high = *map.high;
  return colours;
}

bool in_area(const PlotArea& area, Point p) {
  return p.x >= area.min.x - 0.5 && p.x <= area.max.x + 0.5 && p.y >= area.min.y - 0.5 && p.y <= area.max.y + 0.5;
}

Point clamp_to(const PlotArea& area, Point p) {
  return {std::clamp(p.x, area.min.x, area.max.x), std::clamp(p.y, area.min.y, area.max.y)};
}

class Builder {
 public:
  Builder(const Plot& plot, Figure& figure) : plot_(plot), figure_(figure) {}

  void add(Shape shape) { figure_.shapes.push_back(std::move(shape)); }
  void text(Point at, std::string text, Anchor anchor, double size, Rgba colour = kBlack, bool vertical = false, bool bold = false) {
    add(TextShape{at, std::move(text), anchor, size, colour, vertical, bold});
  }

  void heatmap(const Heatmap& map, const ColourRange& colours) {
    const PlotArea& area = figure_.area;
    for (int64_t r = 0; r < map.rows; ++r)
      for (int64_t c = 0; c < map.cols; ++c) {
        const double v = map.values[size_t(r * map.cols + c)];
        const Point a = area.to_pixels(double(c) - 0.5, double(r) - 0.5), b = area.to_pixels(double(c) + 0.5, double(r) + 0.5);
        add(filled_rect({std::min(a.x, b.x), std::min(a.y, b.y)},
                      {std::max(a.x, b.x), std::max(a.y, b.y)},
                      std::isfinite(v) ? colour_at(map.map, colours.t(v)) : kMissing));
      }
  }

  void colour_bar(const Heatmap& map, const ColourRange& colours, double left) {
    const PlotArea& area = figure_.area;
    constexpr int kSteps = 48;
    const double height = area.max.y - area.min.y;
    for (int s = 0; s < kSteps; ++s) {
      const double top = area.max.y - height * (s + 1) / kSteps, bottom = area.max.y - height * s / kSteps;
      add(filled_rect({left, top}, {left + kColourBarWidth, bottom}, colour_at(map.map, (s + 0.5) / kSteps)));
    }
    add(outlined_rect({left, area.min.y}, {left + kColourBarWidth, area.max.y}, kGrey));
    for (const Tick& tick : numeric_ticks(colours.low, colours.high, false)) {
      if (tick.at < colours.low || tick.at > colours.high) continue;
      const double y = area.max.y - colours.t(tick.at) * height;
      add(LineShape{{{left + kColourBarWidth, y}, {left + kColourBarWidth + kTickLength, y}}, kGrey, 1});
      text({left + kColourBarWidth + kTickLength + 2, y + kTickSize * 0.35}, tick.label, Anchor::Start, kTickSize);
    }
    if (!map.colour_bar_label.empty())
      text({left + kColourBarWidth + 48, (area.min.y + area.max.y) / 2}, map.colour_bar_label, Anchor::Middle, kLabelSize, kBlack,
           true);
  }

  void series(const Series& s, size_t index, size_t bar_slot, size_t bar_slots) {
    const PlotArea& area = figure_.area;
    const Rgba colour = s.colour ? *s.colour : palette_colour(index);
    if (s.kind == SeriesKind::Bars) {
      const double width = 0.8 / double(bar_slots);
      const double zero = std::clamp(0.0, std::min(area.y_low, area.y_high), std::max(area.y_low, area.y_high));
      for (size_t i = 0; i < s.x.size(); ++i) {
        if (!std::isfinite(s.y[i]) || !std::isfinite(s.x[i])) continue;
        const double left = s.x[i] - 0.4 + width * double(bar_slot);
        const Point a = clamp_to(area, area.to_pixels(left, zero)), b = clamp_to(area, area.to_pixels(left + width, s.y[i]));
        add(filled_rect({std::min(a.x, b.x), std::min(a.y, b.y)}, {std::max(a.x, b.x), std::max(a.y, b.y)}, colour));
        if (!s.error.empty()) error_bar(left + width / 2, s.y[i], s.error[i]);
      }
      return;
    }
    if (s.kind == SeriesKind::Line) {
      LineShape run{{}, colour, 1.5};
      for (size_t i = 0; i <= s.x.size(); ++i) {
        const bool gap = i == s.x.size() || !std::isfinite(s.x[i]) || !std::isfinite(s.y[i]);
        if (!gap) run.points.push_back(clamp_to(area, area.to_pixels(s.x[i], s.y[i])));
        if (gap && !run.points.empty()) {
          add(run);
          run.points.clear();
        }
      }
    }
    const bool markers = s.kind == SeriesKind::Scatter || (s.marker_radius > 0 && s.x.size() <= 50);
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      if (!s.error.empty()) error_bar(s.x[i], s.y[i], s.error[i]);
      const Point p = area.to_pixels(s.x[i], s.y[i]);
      if (markers && in_area(area, p)) add(CircleShape{p, s.marker_radius, colour});
    }
  }

  void error_bar(double x, double y, double error) {
    if (!std::isfinite(error) || error <= 0) return;
    const PlotArea& area = figure_.area;
    const Point top = clamp_to(area, area.to_pixels(x, y + error)), bottom = clamp_to(area, area.to_pixels(x, y - error));
    add(LineShape{{top, bottom}, kBlack, 1});
    add(LineShape{{{top.x - 3, top.y}, {top.x + 3, top.y}}, kBlack, 1});
    add(LineShape{{{bottom.x - 3, bottom.y}, {bottom.x + 3, bottom.y}}, kBlack, 1});
  }

  void legend(double left) {
    double y = figure_.area.min.y + kLegendSize;
    for (size_t i = 0; i < plot_.series.size(); ++i) {
      const Series& s = plot_.series[i];
      if (s.name.empty()) continue;
      const Rgba colour = s.colour ? *s.colour : palette_colour(i);
      const double mid = y - kLegendSize * 0.35;
      if (s.kind == SeriesKind::Bars) add(filled_rect({left, mid - 5}, {left + 14, mid + 5}, colour));
      if (s.kind == SeriesKind::Line) add(LineShape{{{left, mid}, {left + 14, mid}}, colour, 1.5});
      if (s.kind != SeriesKind::Bars) add(CircleShape{{left + 7, mid}, 3, colour});
      text({left + 20, y}, s.name, Anchor::Start, kLegendSize);
      y += kLegendSize * 1.6;
    }
  }

 private:
  const Plot& plot_;
  Figure& figure_;
};

}  // namespace

Point PlotArea::to_pixels(double x, double y) const {
  return {min.x + (x - x_low) / (x_high - x_low) * (max.x - min.x), max.y - (y - y_low) / (y_high - y_low) * (max.y - min.y)};
}

Point PlotArea::to_data(Point p) const {
  return {x_low + (p.x - min.x) / (max.x - min.x) * (x_high - x_low), y_low + (max.y - p.y) / (max.y - min.y) * (y_high - y_low)};
}

std::vector<double> nice_ticks(double low, double high, int target) {
  if (!std::isfinite(low) || !std::isfinite(high)) return {};
  if (!(high > low)) return {low};
  const double raw = (high - low) / std::max(target, 1);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / magnitude;
  const double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
  std::vector<double> ticks;
  for (double k = std::ceil(low / step - 1e-9); k * step <= high + step * 1e-9; ++k) ticks.push_back(k * step);
  return ticks;
}

std::string tick_label(double value, double step) {
  if (std::abs(value) < step * 1e-6) value = 0;
  char buffer[32];
  const double magnitude = std::max(std::abs(value), std::abs(step));
  if (magnitude >= 1e7 || (value != 0 && magnitude < 1e-4)) {
    std::snprintf(buffer, sizeof buffer, "%.4g", value);
  } else {
    const int decimals = std::clamp(int(-std::floor(std::log10(std::abs(step)) + 1e-9)), 0, 6);
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  }
  return buffer;
}

Figure lay_out(const Plot& plot, double width, double height) {
  check_plot(plot);
  if (!(width >= 160 && height >= 120))
    throw InputError("a figure needs at least 160 x 120 pixels, not " + std::to_string(int(width)) + " x " + std::to_string(int(height)));
  const Heatmap* map = plot.heatmap ? &*plot.heatmap : nullptr;

  // Data ranges.
  Range xs, ys;
  bool bars = false;
  size_t bar_slots = 0;
  for (const Series& s : plot.series) {
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.y[i])) continue;
      xs.add(s.x[i]);
      const double e = s.error.empty() || !std::isfinite(s.error[i]) ? 0 : s.error[i];
      ys.add(s.y[i] - e);
      ys.add(s.y[i] + e);
    }
    if (s.kind == SeriesKind::Bars) {
      bars = true;
      ++bar_slots;
    }
  }
  if (bars) ys.add(0);
  double x_low, x_high, y_low, y_high;
  if (map) {
    x_low = -0.5, x_high = double(map->cols) - 0.5;
    y_low = double(map->rows) - 0.5, y_high = -0.5;  // row 0 at the top
  } else {
    if (!plot.x.categories.empty()) xs.add(0), xs.add(double(plot.x.categories.size() - 1));
    std::tie(x_low, x_high) = axis_range(xs, plot.x);
    if (bars || !plot.x.categories.empty()) {
      x_low = plot.x.min ? *plot.x.min : std::min(x_low, xs.low - 0.5);
      x_high = plot.x.max ? *plot.x.max : std::max(x_high, xs.high + 0.5);
    }
    std::tie(y_low, y_high) = axis_range(ys, plot.y);
    if (bars && ys.low >= 0 && !plot.y.min) y_low = 0;  // bars stand on the axis
  }

  // Margins, from the text that goes in them.
  const double y_span_pixels = height * 0.7;
  const std::vector<Tick> y_ticks =
      axis_ticks(plot.y, map ? map->row_labels : std::vector<std::string>{}, map ? map->rows : 0, y_low, y_high, y_span_pixels, false);
  const double top = plot.title.empty() ? 12 : 12 + kTitleSize * 1.6;
  const double left = 10 + widest_label(y_ticks) + kTickLength + 4 + (plot.y.label.empty() ? 0 : kLabelSize * 1.6);
  double legend_width = 0;
  if (plot.legend)
    for (const Series& s : plot.series)
      if (!s.name.empty()) legend_width = std::max(legend_width, 20 + text_width(s.name, kLegendSize) + 10);
  const ColourRange colours = map ? heatmap_range(*map) : ColourRange{};
  const double colour_bar_width = map ? kColourBarWidth + 12 + 44 + (map->colour_bar_label.empty() ? 0 : kLabelSize * 1.4) : 0;
  const double right = 12 + legend_width + colour_bar_width;
  const double bottom = 8 + kTickSize * 1.8 + (plot.x.label.empty() ? 0 : kLabelSize * 1.6) + (plot.caption.empty() ? 0 : kCaptionSize * 1.8);
  if (width - left - right < 40 || height - top - bottom < 40)
    throw InputError("a " + std::to_string(int(width)) + " x " + std::to_string(int(height)) +
                     " figure leaves no room for the plot beside its labels and legend; make it larger");

  Figure figure;
  figure.width = width;
  figure.height = height;
  figure.area = {{left, top}, {width - right, height - bottom}, x_low, x_high, y_low, y_high};
  const PlotArea& area = figure.area;
  Builder build(plot, figure);
  build.add(filled_rect({0, 0}, {width, height}, kWhite));

  const std::vector<Tick> x_ticks = axis_ticks(plot.x, map ? map->col_labels : std::vector<std::string>{}, map ? map->cols : 0,
                                               x_low, x_high, area.max.x - area.min.x, true);
  const bool grid_lines = !map;
  for (const Tick& tick : y_ticks) {
    const double y = area.to_pixels(x_low, tick.at).y;
    if (y < area.min.y - 0.5 || y > area.max.y + 0.5) continue;
    if (grid_lines) build.add(LineShape{{{area.min.x, y}, {area.max.x, y}}, kGrid, 1});
    build.add(LineShape{{{area.min.x - kTickLength, y}, {area.min.x, y}}, kGrey, 1});
    build.text({area.min.x - kTickLength - 3, y + kTickSize * 0.35}, tick.label, Anchor::End, kTickSize);
  }
  for (const Tick& tick : x_ticks) {
    const double x = area.to_pixels(tick.at, y_low).x;
    if (x < area.min.x - 0.5 || x > area.max.x + 0.5) continue;
    if (grid_lines && plot.x.categories.empty()) build.add(LineShape{{{x, area.min.y}, {x, area.max.y}}, kGrid, 1});
    build.add(LineShape{{{x, area.max.y}, {x, area.max.y + kTickLength}}, kGrey, 1});
    build.text({x, area.max.y + kTickLength + kTickSize * 1.1}, tick.label, Anchor::Middle, kTickSize);
  }

  if (map) build.heatmap(*map, colours);
  size_t bar_slot = 0;
  for (size_t i = 0; i < plot.series.size(); ++i) {
    build.series(plot.series[i], i, bar_slot, std::max<size_t>(bar_slots, 1));
    if (plot.series[i].kind == SeriesKind::Bars) ++bar_slot;
  }
  build.add(outlined_rect(area.min, area.max, kGrey));

  if (!plot.title.empty()) build.text({width / 2, 12 + kTitleSize}, plot.title, Anchor::Middle, kTitleSize, kBlack, false, true);
  if (!plot.y.label.empty())
    build.text({10 + kLabelSize, (area.min.y + area.max.y) / 2}, plot.y.label, Anchor::Middle, kLabelSize, kBlack, true);
  const double x_label_y = area.max.y + kTickLength + kTickSize * 1.8 + kLabelSize * 1.2;
  if (!plot.x.label.empty()) build.text({(area.min.x + area.max.x) / 2, x_label_y}, plot.x.label, Anchor::Middle, kLabelSize);
  if (!plot.caption.empty()) {  // one line: a long caption is set smaller (down to 7 px) to fit the width
    const double fit = kCaptionSize * (width - 20) / std::max(1.0, text_width(plot.caption, kCaptionSize));
    build.text({10, height - 8}, plot.caption, Anchor::Start, std::clamp(fit, 7.0, kCaptionSize), kGrey);
  }
  if (map) build.colour_bar(*map, colours, area.max.x + 12);
  if (legend_width > 0) build.legend(area.max.x + 12 + colour_bar_width);
  return figure;
}

}  // namespace loupe::report
