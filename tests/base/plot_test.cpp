// The plot layer: plot descriptions laid out into shapes (core/report/figure.h), their SVG
// (core/report/svg.h) and plots of result tables (core/report/table_plot.h).
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/report/figure.h"
#include "core/report/svg.h"
#include "core/report/table_plot.h"

using namespace loupe;
using report::Figure;
using report::Plot;
using report::Series;
using report::SeriesKind;

namespace {

template <class T>
std::vector<T> shapes_of(const Figure& figure) {
  std::vector<T> out;
  for (const report::Shape& shape : figure.shapes)
    if (const T* s = std::get_if<T>(&shape)) out.push_back(*s);
  return out;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

bool has_text(const Figure& figure, const std::string& text) {
  for (const report::TextShape& t : shapes_of<report::TextShape>(figure))
    if (t.text == text) return true;
  return false;
}

}  // namespace

TEST_CASE("ticks are round numbers covering the range, labelled without noise", "[report][plot]") {
  CHECK(report::nice_ticks(0, 1) == std::vector<double>{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1});
  const std::vector<double> wide = report::nice_ticks(-3.7, 12.1);
  REQUIRE(wide.size() >= 3);
  CHECK(wide.front() >= -3.7);
  CHECK(wide.back() <= 12.1);
  CHECK(wide[1] - wide[0] == Approx(2.0));
  CHECK(report::tick_label(0.30000000000000004, 0.1) == "0.3");
  CHECK(report::tick_label(-1e-17, 0.5) == "0.0");
  CHECK(report::tick_label(-0.0, 1) == "0");
  CHECK(report::tick_label(250000, 50000) == "250000");
  CHECK(report::tick_label(2.5e7, 5e6) == "2.5e+07");
  CHECK(report::tick_label(4, 2) == "4");
}

TEST_CASE("a line plot puts each point where its data say, inside the plot area", "[report][plot]") {
  Plot plot;
  plot.title = "probe accuracy";
  plot.caption = "demo model · blocks.*.hook_resid_post";
  plot.x.label = "layer";
  plot.y.label = "accuracy";
  plot.series.push_back(make_series("en", SeriesKind::Line, {0, 1, 2, 3}, {0.6, 0.7, 0.65, 0.9}));
  plot.series.push_back(make_series("ar", SeriesKind::Line, {0, 1, 2, 3}, {0.5, std::nan(""), 0.8, 0.85}));
  const Figure figure = report::lay_out(plot, 640, 400);
  const report::PlotArea& area = figure.area;
  CHECK(area.min.x > 0);
  CHECK(area.max.x < 640);
  CHECK(area.max.y < 400);

  const auto circles = shapes_of<report::CircleShape>(figure);
  size_t markers = 0;
  for (const auto& c : circles) {
    if (c.centre.x < area.min.x || c.centre.x > area.max.x) continue;  // legend swatches sit right of the area
    const report::Point data = area.to_data(c.centre);
    bool matched = false;
    for (const Series& s : plot.series)
      for (size_t i = 0; i < s.x.size(); ++i) matched = matched || (std::abs(data.x - s.x[i]) < 1e-9 && std::abs(data.y - s.y[i]) < 1e-9);
    CHECK(matched);
    ++markers;
  }
  CHECK(markers == 7);  // the NaN is a gap

  // The gap splits "ar" into two polylines; higher values sit higher on the canvas.
  size_t ar_runs = 0;
  for (const auto& line : shapes_of<report::LineShape>(figure))
    if (line.colour == report::palette_colour(1) && line.points.size() >= 1 && line.points.front().x >= area.min.x) ++ar_runs;
  CHECK(ar_runs == 3);  // two runs in the area and the legend swatch
  CHECK(area.to_pixels(0, 0.9).y < area.to_pixels(0, 0.6).y);
  CHECK(has_text(figure, "probe accuracy"));
  CHECK(has_text(figure, "en"));
  CHECK(has_text(figure, "ar"));
  CHECK(has_text(figure, "layer"));
}

TEST_CASE("a heatmap draws one cell a value, row 0 on top, missing values grey", "[report][plot]") {
  Plot plot;
  report::Heatmap map;
  map.rows = 2;
  map.cols = 3;
  map.values = {0, 1, 2, 3, std::nan(""), 5};
  map.row_labels = {"L0", "L1"};
  map.colour_bar_label = "restored";
  plot.heatmap = map;
  const Figure figure = report::lay_out(plot, 400, 300);
  std::vector<report::RectShape> cells;
  for (const auto& r : shapes_of<report::RectShape>(figure))
    if (r.min.x >= figure.area.min.x - 1e-9 && r.max.x <= figure.area.max.x + 1e-9 && !r.stroke && r.max.x - r.min.x < 400) cells.push_back(r);
  REQUIRE(cells.size() == 6);
  CHECK(cells[0].fill == report::colour_at(report::ColourMap::Viridis, 0.0));
  CHECK(cells[5].fill == report::colour_at(report::ColourMap::Viridis, 1.0));
  CHECK(cells[4].fill == report::Rgba{200, 200, 200, 255});
  CHECK(cells[0].min.y < cells[3].min.y);  // row 0 above row 1
  CHECK(cells[0].max.x == Approx(cells[1].min.x));
  CHECK(has_text(figure, "L1"));
  CHECK(has_text(figure, "restored"));
}

TEST_CASE("an unlabelled grid's ticks read whole cell numbers and inferno runs dark to light", "[report][plot]") {
  Plot plot;
  report::Heatmap map;
  map.rows = 4;
  map.cols = 4;
  map.values.assign(16, 0.0);
  map.values[15] = 100;  // colour-bar ticks 0, 20, ..., 100: no decimals of their own
  map.map = report::ColourMap::Inferno;
  plot.heatmap = map;
  const Figure figure = report::lay_out(plot, 400, 300);
  CHECK(has_text(figure, "3"));
  CHECK_FALSE(has_text(figure, "1.0"));
  CHECK_FALSE(has_text(figure, "2.0"));
  CHECK_FALSE(has_text(figure, "0.5"));
  const report::Rgba dark = report::colour_at(report::ColourMap::Inferno, 0.0);
  const report::Rgba light = report::colour_at(report::ColourMap::Inferno, 1.0);
  CHECK(int(dark.r) + dark.g + dark.b < 30);
  CHECK(int(light.r) + light.g + light.b > 600);
  CHECK(report::colour_at(report::ColourMap::Inferno, 0.5).r > report::colour_at(report::ColourMap::Inferno, 0.5).g);
}

TEST_CASE("bar series stand side by side from zero", "[report][plot]") {
  Plot plot;
  plot.x.categories = {"figure", "caption"};
  plot.series.push_back(make_series("en", SeriesKind::Bars, {0, 1}, {2, 4}));
  plot.series.push_back(make_series("ar", SeriesKind::Bars, {0, 1}, {1, -1}));
  const Figure figure = report::lay_out(plot, 480, 320);
  std::vector<report::RectShape> bars;
  for (const auto& r : shapes_of<report::RectShape>(figure))
    if (r.fill == report::palette_colour(0) || r.fill == report::palette_colour(1)) bars.push_back(r);
  REQUIRE(bars.size() == 6);  // four bars and two legend swatches
  const double zero = figure.area.to_pixels(0, 0).y;
  CHECK(bars[0].max.y == Approx(zero));            // en, figure: from 0 up to 2
  CHECK(bars[1].max.y - bars[1].min.y == Approx(2 * (bars[0].max.y - bars[0].min.y)));
  CHECK(bars[2].min.x == Approx(bars[0].max.x));   // ar beside en
  CHECK(bars[3].min.y == Approx(zero));            // a negative bar hangs below 0
  CHECK(has_text(figure, "caption"));
}

TEST_CASE("a plot that cannot be drawn is refused, naming why", "[report][plot]") {
  Plot empty;
  CHECK_THROWS_WITH(report::lay_out(empty, 640, 400), Catch::Contains("no data"));
  Plot uneven;
  uneven.series.push_back(make_series("a", SeriesKind::Line, {0, 1}, {0}));
  CHECK_THROWS_WITH(report::lay_out(uneven, 640, 400), Catch::Contains("2 x values and 1 y values"));
  Plot bad_map;
  bad_map.heatmap = report::Heatmap{2, 2, {1, 2, 3}};
  CHECK_THROWS_WITH(report::lay_out(bad_map, 640, 400), Catch::Contains("3 values for 2 x 2"));
  Plot fine;
  fine.series.push_back(make_series("a", SeriesKind::Scatter, {0, 1}, {0, 1}));
  fine.x.min = 2;
  fine.x.max = 1;
  CHECK_THROWS_WITH(report::lay_out(fine, 640, 400), Catch::Contains("minimum must be below"));
  fine.x.min.reset();
  CHECK_THROWS_AS(report::lay_out(fine, 100, 100), InputError);
}

TEST_CASE("the SVG writes every shape once, escapes text and runs Arabic right to left", "[report][svg]") {
  Plot plot;
  plot.title = "a < b & \"c\"";
  plot.caption = std::string("bad byte \xFF here");
  plot.series.push_back(make_series("امرأة", SeriesKind::Scatter, {0, 1, 2}, {1, 2, 3}));
  plot.series.push_back(make_series("man", SeriesKind::Scatter, {0, 1, 2}, {3, 2, 1}));
  const Figure figure = report::lay_out(plot, 640, 400);
  const std::string svg = report::svg(figure);
  CHECK(svg.rfind("<?xml", 0) == 0);
  CHECK(count(svg, "<circle") == shapes_of<report::CircleShape>(figure).size());
  CHECK(count(svg, "<text") == shapes_of<report::TextShape>(figure).size());
  CHECK(count(svg, "<rect") == shapes_of<report::RectShape>(figure).size());
  CHECK(count(svg, "<polyline") == shapes_of<report::LineShape>(figure).size());
  CHECK(svg.find("a &lt; b &amp; &quot;c&quot;") != std::string::npos);
  CHECK(svg.find("bad byte \xEF\xBF\xBD here") != std::string::npos);
  CHECK(count(svg, "direction=\"rtl\"") == 1);
  CHECK(svg.find(">امرأة</text>") != std::string::npos);
  CHECK(report::has_arabic("رجل"));
  CHECK_FALSE(report::has_arabic("man"));
}

TEST_CASE("a result table becomes one series per y column and group", "[report][table]") {
  const std::string csv =
      "hook,target,lang,accuracy_mean,accuracy_std\n"
      "blocks.0.hook_resid_post,figure,en,0.66,0.02\n"
      "blocks.0.hook_resid_post,figure,ar,0.64,0.03\n"
      "blocks.1.hook_resid_post,figure,en,0.67,0.02\n"
      "blocks.1.hook_resid_post,figure,ar,,0.03\n"
      "blocks.0.hook_resid_post,caption,en,0.99,0.01\n";
  report::TablePlotSpec spec;
  spec.x = "hook";
  spec.y = {"accuracy_mean"};
  spec.error = "accuracy_std";
  spec.group_by = {"lang"};
  spec.where = {{"target", "figure"}};
  const Plot plot = report::plot_from_csv(csv, "probe.csv", spec);
  CHECK(plot.x.categories == std::vector<std::string>{"blocks.0.hook_resid_post", "blocks.1.hook_resid_post"});
  REQUIRE(plot.series.size() == 2);
  CHECK(plot.series[0].name == "en");
  CHECK(plot.series[0].y == std::vector<double>{0.66, 0.67});
  CHECK(plot.series[0].error == std::vector<double>{0.02, 0.02});
  CHECK(plot.series[1].name == "ar");
  CHECK(std::isnan(plot.series[1].y[1]));  // an empty cell is a gap
  CHECK(plot.legend);

  spec.where.clear();
  spec.error.clear();
  spec.group_by = {"target", "lang"};
  spec.y = {"accuracy_mean", "accuracy_std"};
  const Plot both = report::plot_from_csv(csv, "probe.csv", spec);
  CHECK(both.series.size() == 6);
  CHECK(both.series[0].name == "accuracy_mean figure en");

  spec.y = {"accuracy"};
  CHECK_THROWS_WITH(report::plot_from_csv(csv, "probe.csv", spec), Catch::Contains("probe.csv has no column 'accuracy'") &&
                                                                        Catch::Contains("accuracy_mean, accuracy_std"));
  spec.y = {"lang"};
  CHECK_THROWS_WITH(report::plot_from_csv(csv, "probe.csv", spec), Catch::Contains("line 2: column 'lang' holds 'en', not a number"));
  spec.y = {"accuracy_mean"};
  spec.group_by.clear();
  spec.where = {{"target", "stated|caption"}, {"lang", "en"}};  // either value
  const Plot alternatives = report::plot_from_csv(csv, "probe.csv", spec);
  REQUIRE(alternatives.series.size() == 1);
  CHECK(alternatives.series[0].y == std::vector<double>{0.99});
  spec.where = {{"target", "stated"}};
  CHECK_THROWS_WITH(report::plot_from_csv(csv, "probe.csv", spec), Catch::Contains("no rows that pass"));
  CHECK_THROWS_WITH(report::parse_plot_kind("pie"), Catch::Contains("not 'pie'"));
}

TEST_CASE("a long table becomes a heatmap with its cells in place", "[report][table]") {
  const std::string csv =
      "layer,position,restored\n"
      "1,10,0.5\n"
      "0,2,0.25\n"
      "1,2,1.0\n"
      "0,10,\n";
  report::TablePlotSpec spec;
  spec.kind = report::PlotKind::Heatmap;
  spec.x = "position";
  spec.y = {"layer"};
  spec.value = "restored";
  const Plot plot = report::plot_from_csv(csv, "patch.csv", spec);
  REQUIRE(plot.heatmap);
  CHECK(plot.heatmap->col_labels == std::vector<std::string>{"2", "10"});  // numeric order, not text order
  CHECK(plot.heatmap->row_labels == std::vector<std::string>{"0", "1"});
  CHECK(plot.heatmap->values[0] == 0.25);
  CHECK(std::isnan(plot.heatmap->values[1]));
  CHECK(plot.heatmap->values[2] == 1.0);
  CHECK(plot.heatmap->values[3] == 0.5);
  CHECK(plot.heatmap->colour_bar_label == "restored");
  CHECK_THROWS_WITH(report::plot_from_csv(csv + "1,2,0.7\n", "patch.csv", spec), Catch::Contains("a second time"));
  spec.value.clear();
  CHECK_THROWS_WITH(report::plot_from_csv(csv, "patch.csv", spec), Catch::Contains("--value"));
}

TEST_CASE("bars of a numeric column stand at its values as categories, in numeric order", "[report][table]") {
  const std::string csv =
      "component,layer,lang,mean_dla\n"
      "attn,10,en,0.5\n"
      "attn,2,en,-0.25\n"
      "mlp,2,en,0.125\n";
  report::TablePlotSpec spec;
  spec.kind = report::PlotKind::Bars;
  spec.x = "layer";
  spec.y = {"mean_dla"};
  spec.group_by = {"component"};
  const Plot plot = report::plot_from_csv(csv, "dla.csv", spec);
  CHECK(plot.x.categories == std::vector<std::string>{"2", "10"});
  REQUIRE(plot.series.size() == 2);
  CHECK(plot.series[0].x == std::vector<double>{1, 0});  // attn: layer 10 is the second category
  CHECK(plot.series[1].x == std::vector<double>{0});
}
