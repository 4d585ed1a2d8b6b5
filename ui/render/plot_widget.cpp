#include "ui/render/plot_widget.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/error.h"

namespace loupe::ui {

namespace {
constexpr float kHoverPixels = 6;  // a point this close to the mouse is hovered
}

void PlotWidget::set(std::string id, std::shared_ptr<const report::Plot> plot, std::string csv) {
  id_ = std::move(id);
  plot_ = std::move(plot);
  csv_ = std::move(csv);
  figure_.reset();
  layout_error_.clear();
  laid_out_size_ = ImVec2(0, 0);
  drag_start_.reset();
  box_.reset();
}

PlotWidget::Hover PlotWidget::nearest_point(ImVec2 mouse, ImVec2 origin) const {
  Hover best;
  const report::PlotArea& area = figure_->area;
  if (mouse.x < origin.x + area.min.x || mouse.x > origin.x + area.max.x || mouse.y < origin.y + area.min.y ||
      mouse.y > origin.y + area.max.y)
    return best;
  float best_distance = kHoverPixels * kHoverPixels;
  for (size_t s = 0; s < plot_->series.size(); ++s) {
    const report::Series& series = plot_->series[s];
    if (series.kind == report::SeriesKind::Bars) continue;
    for (size_t i = 0; i < series.x.size(); ++i) {
      const report::Point p = area.to_pixels(series.x[i], series.y[i]);
      const float dx = float(p.x) + origin.x - mouse.x, dy = float(p.y) + origin.y - mouse.y;
      const float distance = dx * dx + dy * dy;
      if (distance < best_distance) {
        best_distance = distance;
        best = {int(s), i};
      }
    }
  }
  return best;
}

void PlotWidget::find_cell(ImVec2 mouse, ImVec2 origin, Hover& hover) const {
  if (!plot_->heatmap) return;
  const report::Point p = figure_->area.to_data({mouse.x - origin.x, mouse.y - origin.y});
  const int64_t row = std::lround(p.y), col = std::lround(p.x);  // cell (r, c) is centred on (c, r)
  if (row >= 0 && row < plot_->heatmap->rows && col >= 0 && col < plot_->heatmap->cols) {
    hover.row = row;
    hover.col = col;
  }
}

void PlotWidget::context_menu() {
  if (!ImGui::BeginPopupContextItem("plot menu")) return;
  if (ImGui::IsWindowAppearing())
    std::snprintf(path_input_, sizeof path_input_, "%s/%s.png", export_folder_.c_str(), id_.empty() ? "figure" : id_.c_str());
  ImGui::TextUnformatted("Export the figure as it is on screen");
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 28);
  ImGui::InputText("##export path", path_input_, sizeof path_input_);
  const auto with_extension = [this](const char* extension) {
    std::string path = path_input_;
    const size_t dot = path.rfind('.'), slash = path.rfind('/');
    if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) path.erase(dot);
    return path + extension;
  };
  if (ImGui::Button("PNG (2x)")) export_path_ = with_extension(".png");
  ImGui::SameLine();
  if (ImGui::Button("SVG")) export_path_ = with_extension(".svg");
  ImGui::SameLine();
  if (csv_.empty()) ImGui::BeginDisabled();
  if (ImGui::Button("CSV (the table)")) export_path_ = with_extension(".csv");
  if (csv_.empty()) ImGui::EndDisabled();
  if (export_path_) ImGui::CloseCurrentPopup();
  ImGui::EndPopup();
}

PlotWidget::Hover PlotWidget::draw(const char* imgui_id, ImVec2 size, const FigureFonts& fonts, ShapeCache& shaper,
                                   bool box_select) {
  ImGui::PushID(imgui_id);
  const ImVec2 available = ImGui::GetContentRegionAvail();
  if (size.x <= 0) size.x += available.x;
  if (size.y <= 0) size.y += available.y;
  size = ImVec2(std::floor(std::max(size.x, 1.0f)), std::floor(std::max(size.y, 1.0f)));
  if (plot_ && (size.x != laid_out_size_.x || size.y != laid_out_size_.y)) {
    laid_out_size_ = size;
    try {
      figure_ = std::make_shared<const report::Figure>(report::lay_out(*plot_, size.x, size.y));
      layout_error_.clear();
    } catch (const Error& error) {  // too small a region, or a plot the layer refuses
      figure_.reset();
      layout_error_ = error.what();
    }
  }
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("plot", size);
  Hover hover;
  hover.clicked = ImGui::IsItemClicked(ImGuiMouseButton_Left);
  context_menu();
  if (!figure_) {
    ImGui::GetWindowDrawList()->AddText(origin, ImGui::GetColorU32(ImGuiCol_TextDisabled),
                                        layout_error_.empty() ? "nothing to draw" : layout_error_.c_str());
    ImGui::PopID();
    return hover;
  }
  ImDrawList& list = *ImGui::GetWindowDrawList();
  list.PushClipRect(origin, ImVec2(origin.x + size.x, origin.y + size.y), true);
  draw_figure(list, *figure_, origin.x, origin.y, 1.0f, fonts, shaper);
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  if (ImGui::IsItemHovered()) {
    const bool clicked = hover.clicked;
    hover = nearest_point(mouse, origin);
    hover.clicked = clicked;
    find_cell(mouse, origin, hover);
  }
  if (box_select) {
    if (ImGui::IsItemActivated()) drag_start_ = mouse;
    if (drag_start_ && ImGui::IsItemActive()) {
      list.AddRectFilled(*drag_start_, mouse, IM_COL32(70, 130, 220, 50));
      list.AddRect(*drag_start_, mouse, IM_COL32(70, 130, 220, 220));
    }
    if (drag_start_ && ImGui::IsItemDeactivated()) {
      const report::Point a = figure_->area.to_data({drag_start_->x - origin.x, drag_start_->y - origin.y});
      const report::Point b = figure_->area.to_data({mouse.x - origin.x, mouse.y - origin.y});
      box_ = DataBox{std::min(a.x, b.x), std::max(a.x, b.x), std::min(a.y, b.y), std::max(a.y, b.y)};
      drag_start_.reset();
    }
  }
  if (hover.series >= 0) {
    const report::Point p = figure_->area.to_pixels(plot_->series[size_t(hover.series)].x[hover.point],
                                                    plot_->series[size_t(hover.series)].y[hover.point]);
    list.AddCircle(ImVec2(origin.x + float(p.x), origin.y + float(p.y)), 6, IM_COL32(0, 0, 0, 255), 16, 1.5f);
  }
  if (hover.row >= 0) {
    const report::Point a = figure_->area.to_pixels(double(hover.col) - 0.5, double(hover.row) - 0.5);
    const report::Point b = figure_->area.to_pixels(double(hover.col) + 0.5, double(hover.row) + 0.5);
    list.AddRect(ImVec2(origin.x + float(std::min(a.x, b.x)), origin.y + float(std::min(a.y, b.y))),
                 ImVec2(origin.x + float(std::max(a.x, b.x)), origin.y + float(std::max(a.y, b.y))), IM_COL32(0, 0, 0, 255), 0, 0, 2);
  }
  list.PopClipRect();
  ImGui::PopID();
  return hover;
}

}  // namespace loupe::ui
