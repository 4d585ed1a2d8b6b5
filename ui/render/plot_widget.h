// A plot on screen (the plot layer's ImGui back-end, figure_draw.h, inside a panel): lays the plot
// out to the space it is given (again only when that space or the plot changes), draws it, reports
// the scatter or line point under the mouse, an optional box selection, and a right-click menu that
// exports the figure as it is on screen to PNG (2x), SVG, or its table to CSV. Torch- and GL-free.
#pragma once
#include <imgui.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "core/report/figure.h"
#include "ui/render/figure_draw.h"

namespace loupe::ui {

// The figure a panel shows now, as exports need it: its name, the laid-out shapes, the table drawn.
struct ShownPlot {
  std::string id;  // "layers-probe": the default export file name
  std::shared_ptr<const report::Figure> figure;
  std::string csv;
};

// A rectangle in data units, low ≤ high on both axes.
struct DataBox {
  double x_low = 0, x_high = 0, y_low = 0, y_high = 0;
  bool contains(double x, double y) const { return x >= x_low && x <= x_high && y >= y_low && y <= y_high; }
};

class PlotWidget {
 public:
  // A new plot (an empty `plot` clears the widget). `csv` is the table it draws, for CSV export.
  void set(std::string id, std::shared_ptr<const report::Plot> plot, std::string csv);
  bool empty() const { return !plot_; }
  const std::string& id() const { return id_; }
  const report::Plot* plot() const { return plot_.get(); }

  struct Hover {
    int series = -1;  // -1: no point under the mouse
    size_t point = 0;
    int64_t row = -1, col = -1;  // the heatmap cell under the mouse; -1: none
    bool clicked = false;        // the left button was clicked on the plot this frame
  };
  // Draws the plot in a `size` region (a component ≤ 0: the rest of the window's width or height
  // less that much, as ImGui sizes go).
  // With `box_select`, a left-button drag over the plot draws a box; take_box() returns it once
  // released. Returns the point within a few pixels of the mouse, nearest first, and the heatmap
  // cell under it (outlined).
  Hover draw(const char* imgui_id, ImVec2 size, const FigureFonts& fonts, ShapeCache& shaper, bool box_select = false);

  std::optional<DataBox> take_box() { return std::exchange(box_, std::nullopt); }
  // A path chosen in the right-click menu since the last call (PNG, SVG or CSV by its extension).
  std::optional<std::string> take_export_path() { return std::exchange(export_path_, std::nullopt); }
  // What is on screen now (no figure before the first draw).
  ShownPlot shown() const { return {id_, figure_, csv_}; }
  // Where exports go by default: `folder`/ID.EXT.
  void set_export_folder(std::string folder) { export_folder_ = std::move(folder); }

 private:
  void context_menu();
  Hover nearest_point(ImVec2 mouse, ImVec2 origin) const;
  void find_cell(ImVec2 mouse, ImVec2 origin, Hover& hover) const;

  std::string id_, csv_, export_folder_ = "figures";
  std::shared_ptr<const report::Plot> plot_;
  std::shared_ptr<const report::Figure> figure_;
  std::string layout_error_;
  ImVec2 laid_out_size_{0, 0};
  std::optional<ImVec2> drag_start_;
  std::optional<DataBox> box_;
  std::optional<std::string> export_path_;
  char path_input_[1024] = {};
};

}  // namespace loupe::ui
