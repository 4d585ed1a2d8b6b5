// Heatmap: a hook (vision or decoder, any layer) and a quantity (activation norm, one SAE latent,
// a direction's projection, attention from a caption token to the image patches), drawn over the
// image's patch grid by the fragment shader and over the caption's tokens; the patch grid again
// as a figure of the plot layer, which exports to PNG, SVG and CSV.
#include <imgui.h>

#include <algorithm>
#include <filesystem>

#include "core/util/table.h"
#include "ui/app/widgets.h"
#include "ui/panels/panels.h"
#include "ui/render/heatmap_view.h"
#include "ui/render/textures.h"

namespace loupe::ui {

namespace {

bool choose_hook(AppState& state) {
  bool changed = false;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 16);
  if (ImGui::BeginCombo("hook", state.heatmap.hook.c_str(), ImGuiComboFlags_HeightLarge)) {
    for (const auto& hook : state.model_info.heatmap_hooks) {
      if (ImGui::Selectable(hook.c_str(), hook == state.heatmap.hook)) {
        state.heatmap.hook = hook;
        changed = true;
      }
    }
    ImGui::EndCombo();
  }
  return changed;
}

bool choose_quantity(AppState& state) {
  bool changed = false;
  HeatmapSpec& spec = state.heatmap;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
  if (ImGui::BeginCombo("quantity", heat_quantity_name(spec.quantity))) {
    for (HeatQuantity q : {HeatQuantity::Norm, HeatQuantity::Latent, HeatQuantity::Projection, HeatQuantity::Attention})
      if (ImGui::Selectable(heat_quantity_name(q), q == spec.quantity)) {
        spec.quantity = q;
        changed = true;
      }
    ImGui::EndCombo();
  }
  if (spec.quantity == HeatQuantity::Latent) {
    int latent = int(spec.latent);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
    if (ImGui::InputInt("latent", &latent)) {
      spec.latent = std::max(latent, 0);
      changed = true;
    }
    if (state.sae_path.empty()) ImGui::TextDisabled("load an SAE in the Steering panel first");
  }
  if (spec.quantity == HeatQuantity::Projection) {
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
    if (ImGui::BeginCombo("direction", spec.direction ? spec.direction->name.c_str() : "none")) {
      for (const auto& direction : state.directions)
        if (ImGui::Selectable(direction->name.c_str(), direction == spec.direction)) {
          spec.direction = direction;
          changed = true;
        }
      ImGui::EndCombo();
    }
    if (state.directions.empty()) ImGui::TextDisabled("add a direction in the Steering panel first");
  }
  if (spec.quantity == HeatQuantity::Attention) ImGui::TextDisabled("click a caption token below to choose the query");
  return changed;
}

// The patch grid as a plot-layer heatmap (row 0 at the top, as on the image), its caption naming
// the image and the caption read; exported by the widget's right-click menu and `export-plot heatmap`.
std::shared_ptr<const report::Plot> heatmap_figure(const Heatmap& map, const LiveResult& live, const HeatmapSpec& spec) {
  auto plot = std::make_shared<report::Plot>();
  plot->title = map.title;
  plot->caption = "image " + std::filesystem::path(live.image).filename().string() + " · " + language_code(spec.lang) + " caption: " +
                  live.steered[spec.lang == Language::Arabic ? 1 : 0].text;
  plot->x.label = "patch column";
  plot->y.label = "patch row";
  report::Heatmap grid;
  grid.rows = map.grid_height;
  grid.cols = map.grid_width;
  grid.values.assign(map.patches.begin(), map.patches.end());
  grid.map = report::ColourMap::Inferno;  // the colours drawn over the image
  grid.low = map.low;
  grid.high = map.high;
  grid.colour_bar_label = heat_quantity_name(spec.quantity);
  plot->heatmap = std::move(grid);
  plot->legend = false;
  return plot;
}

// The patch grid as a table: one row per patch (row, col, value), row-major.
std::string heatmap_csv(const Heatmap& map) {
  util::Table table({{"row", util::ColumnType::Integer}, {"col", util::ColumnType::Integer}, {"value", util::ColumnType::Real}});
  for (int r = 0; r < map.grid_height; ++r)
    for (int c = 0; c < map.grid_width; ++c) table.add_row({int64_t(r), int64_t(c), double(map.patches[size_t(r * map.grid_width + c)])});
  return table.csv();
}

}  // namespace

void draw_heatmap_panel(AppState& state, bool* open) {
  if (!ImGui::Begin(panel_title(kHeatmapPanel), open)) {
    ImGui::End();
    return;
  }
  bool changed = choose_hook(state);
  ImGui::SameLine();
  changed |= choose_quantity(state);
  int lang = state.heatmap.lang == Language::Arabic ? 1 : 0;
  bool lang_changed = ImGui::RadioButton("English tokens", &lang, 0);
  ImGui::SameLine();
  lang_changed |= ImGui::RadioButton("Arabic tokens", &lang, 1);
  if (lang_changed) {
    state.heatmap.lang = kLanguages[size_t(lang)];
    changed = true;
  }
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
  ImGui::SliderFloat("opacity", &state.heat_opacity, 0.0f, 1.0f, "%.2f");
  if (changed) state.request_dirty = true;

  const ImageEntry* image = state.selected_image();
  const auto& live = state.live;
  if (!image || !live || live->image != image->path) {
    ImGui::TextDisabled("waiting for the caption of the selected image…");
    ImGui::End();
    return;
  }
  const Heatmap& map = live->heatmap;
  if (!map.error.empty()) error_text(map.error);
  const Texture* texture = state.textures->get(image->path);
  const float side = std::max(64.0f, std::min(ImGui::GetContentRegionAvail().x * 0.55f, ImGui::GetContentRegionAvail().y - 60.0f));
  if (texture) {
    const unsigned shown = state.heatmap_view->render(*texture, map, state.heat_opacity, 512);
    ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(shown)), ImVec2(side, side));
  }
  ImGui::SameLine();
  ImGui::BeginGroup();
  ImGui::TextWrapped("%s", map.title.c_str());
  if (!map.patches.empty()) {
    ImGui::Text("%d × %d patches", map.grid_width, map.grid_height);
    // Colour bar from low to high.
    const ImVec2 at = ImGui::GetCursorScreenPos();
    const float width = ImGui::GetFontSize() * 10, height = ImGui::GetFontSize();
    for (int i = 0; i < 64; ++i)
      ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(at.x + width * i / 64, at.y), ImVec2(at.x + width * (i + 1) / 64 + 1, at.y + height),
                                                inferno_colour(i / 63.0f));
    ImGui::Dummy(ImVec2(width, height));
    ImGui::Text("%.3g … %.3g", map.low, map.high);
  }
  ImGui::Checkbox("colour the caption tokens", &state.heat_over_tokens);
  const int l = state.heatmap.lang == Language::Arabic ? 1 : 0;
  ChipStyle style;
  if (state.heat_over_tokens && !map.tokens.empty()) {
    style.heat = &map.tokens;
    style.low = *std::min_element(map.tokens.begin(), map.tokens.end());
    style.high = *std::max_element(map.tokens.begin(), map.tokens.end());
  }
  if (state.heatmap.quantity == HeatQuantity::Attention) style.selected = state.heatmap.caption_token;
  const int clicked = token_chips(state.shaper, live->steered[l], style, "heat-chips");
  if (clicked >= 0 && state.heatmap.quantity == HeatQuantity::Attention) {
    state.heatmap.caption_token = clicked;
    state.request_dirty = true;
  }
  if (!map.patches.empty() && ImGui::CollapsingHeader("Figure (right-click to export)", ImGuiTreeNodeFlags_DefaultOpen)) {
    if (state.heatmap_figure_of != live->request_id) {
      state.heatmap_figure.set("heatmap", heatmap_figure(map, *live, state.heatmap), heatmap_csv(map));
      state.heatmap_figure_of = live->request_id;
    }
    draw_plot(state, state.heatmap_figure, "heatmap figure", ImVec2(0, ImGui::GetFontSize() * 16));
  }
  ImGui::EndGroup();
  ImGui::End();
}

}  // namespace loupe::ui
