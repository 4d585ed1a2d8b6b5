#include "core/report/plot.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "core/error.h"

namespace loupe::report {

double scatter_marker_radius(size_t points) { return points > 2000 ? 1.5 : 2.5; }

Series make_series(std::string name, SeriesKind kind, std::vector<double> x, std::vector<double> y) {
  Series series;
  series.name = std::move(name);
  series.kind = kind;
  series.x = std::move(x);
  series.y = std::move(y);
  return series;
}

namespace {

// matplotlib's viridis at t = 0, 1/8, ..., 1; colours in between are interpolated linearly.
constexpr std::array<std::array<uint8_t, 3>, 9> kViridis = {{{68, 1, 84},
                                                            {71, 44, 122},
                                                            {59, 81, 139},
                                                            {44, 113, 142},
                                                            {33, 144, 141},
                                                            {39, 173, 129},
                                                            {92, 200, 99},
                                                            {170, 220, 50},
                                                            {253, 231, 37}}};
// ColorBrewer RdBu reversed (blue low, red high) at t = 0, 1/4, ..., 1.
constexpr std::array<std::array<uint8_t, 3>, 5> kDiverging = {
    {{33, 102, 172}, {146, 197, 222}, {247, 247, 247}, {244, 165, 130}, {178, 24, 43}}};

template <size_t N>
Rgba interpolate(const std::array<std::array<uint8_t, 3>, N>& stops, double t) {
  const double at = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0) * double(N - 1);
  const size_t low = std::min(size_t(at), N - 2);
  const double f = at - double(low);
  Rgba colour;
  uint8_t* channels[3] = {&colour.r, &colour.g, &colour.b};
  for (size_t c = 0; c < 3; ++c)
    *channels[c] = uint8_t(std::lround(stops[low][c] * (1 - f) + stops[low + 1][c] * f));
  return colour;
}

// A 6th-degree polynomial fit of matplotlib's inferno per channel (the shader's coefficients).
Rgba inferno(double t) {
  t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0);
  constexpr double c[7][3] = {{0.0002189, 0.0016510, -0.0194809}, {0.1065134, 0.5639564, 3.9327124},
                              {11.6024931, -3.9728540, -15.9423941}, {-41.7039961, 17.4363989, 44.3541452},
                              {77.1629357, -33.4023589, -81.8073093}, {-71.3194282, 32.6260643, 73.2095199},
                              {25.1311262, -12.2426690, -23.0703250}};
  Rgba colour;
  uint8_t* channels[3] = {&colour.r, &colour.g, &colour.b};
  for (int k = 0; k < 3; ++k) {
    double v = c[6][k];
    for (int i = 5; i >= 0; --i) v = c[i][k] + t * v;
    *channels[k] = uint8_t(std::lround(std::clamp(v, 0.0, 1.0) * 255.0));
  }
  return colour;
}

void check_axis(const Axis& axis, const char* name) {
  if (axis.min && axis.max && !(*axis.min < *axis.max))
    throw InputError(std::string("the ") + name + " axis runs from " + std::to_string(*axis.min) + " to " +
                     std::to_string(*axis.max) + ": its minimum must be below its maximum");
}

}  // namespace

Rgba palette_colour(size_t i) {
  static constexpr std::array<Rgba, 10> kTableau = {{{31, 119, 180, 255},
                                                     {255, 127, 14, 255},
                                                     {44, 160, 44, 255},
                                                     {214, 39, 40, 255},
                                                     {148, 103, 189, 255},
                                                     {140, 86, 75, 255},
                                                     {227, 119, 194, 255},
                                                     {127, 127, 127, 255},
                                                     {188, 189, 34, 255},
                                                     {23, 190, 207, 255}}};
  return kTableau[i % kTableau.size()];
}

Rgba colour_at(ColourMap map, double t) {
  switch (map) {
    case ColourMap::Viridis: return interpolate(kViridis, t);
    case ColourMap::Diverging: return interpolate(kDiverging, t);
    case ColourMap::Inferno: return inferno(t);
  }
  return interpolate(kViridis, t);
}

void check_plot(const Plot& plot) {
  check_axis(plot.x, "x");
  check_axis(plot.y, "y");
  bool any = false;
  for (const Series& series : plot.series) {
    const std::string name = "series '" + series.name + "'";
    if (series.x.size() != series.y.size())
      throw InputError(name + " has " + std::to_string(series.x.size()) + " x values and " + std::to_string(series.y.size()) +
                       " y values");
    if (!series.error.empty() && series.error.size() != series.y.size())
      throw InputError(name + " has " + std::to_string(series.error.size()) + " error bars for " +
                       std::to_string(series.y.size()) + " points");
    any = any || !series.x.empty();
  }
  if (plot.heatmap) {
    const Heatmap& map = *plot.heatmap;
    if (map.rows < 1 || map.cols < 1 || map.values.size() != size_t(map.rows * map.cols))
      throw InputError("the heatmap holds " + std::to_string(map.values.size()) + " values for " + std::to_string(map.rows) +
                       " x " + std::to_string(map.cols) + " cells");
    if (!map.row_labels.empty() && map.row_labels.size() != size_t(map.rows))
      throw InputError("the heatmap has " + std::to_string(map.row_labels.size()) + " row labels for " +
                       std::to_string(map.rows) + " rows");
    if (!map.col_labels.empty() && map.col_labels.size() != size_t(map.cols))
      throw InputError("the heatmap has " + std::to_string(map.col_labels.size()) + " column labels for " +
                       std::to_string(map.cols) + " columns");
    if (map.low && map.high && !(*map.low < *map.high)) throw InputError("the heatmap's colour range is empty");
    any = true;
  }
  if (!any) throw InputError("the plot has no data: no series with points and no heatmap");
}

}  // namespace loupe::report
