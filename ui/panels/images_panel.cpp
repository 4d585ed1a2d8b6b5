// Images: the dataset's thumbnails (textures decoded and uploaded lazily), filters by the CSV's
// label columns, arrow keys to move the selection.
#include <imgui.h>

#include <algorithm>
#include <set>

#include "ui/panels/panels.h"
#include "ui/render/textures.h"

namespace loupe::ui {

namespace {

void draw_filters(AppState& state) {
  for (const auto& column : state.label_columns) {
    std::set<std::string> values;
    for (const auto& image : state.images) {
      auto found = image.labels.find(column);
      if (found != image.labels.end() && !found->second.empty()) values.insert(found->second);
    }
    std::string& chosen = state.filters[column];
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7.0f);
    if (ImGui::BeginCombo(column.c_str(), chosen.empty() ? "any" : chosen.c_str())) {
      if (ImGui::Selectable("any", chosen.empty())) chosen.clear();
      for (const auto& value : values)
        if (ImGui::Selectable(value.c_str(), chosen == value)) chosen = value;
      ImGui::EndCombo();
    }
  }
}

// Arrow keys move among the visible images (left/right by one, up/down by a row).
void keyboard_navigation(AppState& state, const std::vector<int>& visible, int per_row) {
  if (visible.empty() || !ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows) || ImGui::GetIO().WantTextInput) return;
  int at = 0;
  for (size_t i = 0; i < visible.size(); ++i)
    if (visible[i] == state.selected) at = int(i);
  int step = 0;
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow))) step = 1;
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_LeftArrow))) step = -1;
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_DownArrow))) step = per_row;
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_UpArrow))) step = -per_row;
  if (step != 0) select_image(state, visible[size_t(std::clamp(at + step, 0, int(visible.size()) - 1))]);
}

}  // namespace

void draw_images_panel(AppState& state, bool* open) {
  if (!ImGui::Begin(panel_title(kImagesPanel), open)) {
    ImGui::End();
    return;
  }
  ImGui::TextDisabled("%s", state.dataset_folder.empty() ? "demo images" : state.dataset_folder.c_str());
  draw_filters(state);
  std::vector<int> visible;
  for (size_t i = 0; i < state.images.size(); ++i)
    if (state.image_visible(state.images[i])) visible.push_back(int(i));
  ImGui::Text("%zu of %zu images", visible.size(), state.images.size());
  const float thumb = 96.0f * (ImGui::GetFontSize() / 16.0f);
  const float cell = thumb + ImGui::GetStyle().ItemSpacing.x + ImGui::GetStyle().FramePadding.x * 2;
  const int per_row = std::max(1, int(ImGui::GetContentRegionAvail().x / cell));
  ImGui::BeginChild("thumbnails");
  keyboard_navigation(state, visible, per_row);
  for (size_t k = 0; k < visible.size(); ++k) {
    const int index = visible[k];
    const ImageEntry& image = state.images[size_t(index)];
    ImGui::PushID(index);
    ImGui::BeginGroup();
    const bool selected = index == state.selected;
    if (selected) ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.9f, 0.55f, 0.15f, 1.0f));
    // Only thumbnails that are on screen are decoded and uploaded.
    const bool on_screen = ImGui::IsRectVisible(ImVec2(thumb, thumb));
    const Texture* texture = on_screen ? state.textures->get(image.path) : nullptr;
    bool pressed;
    if (texture)
      pressed = ImGui::ImageButton(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture->id)), ImVec2(thumb, thumb));
    else
      pressed = ImGui::Button(state.textures->error(image.path) ? "unreadable" : "…", ImVec2(thumb + 4, thumb + 4));
    if (selected) ImGui::PopStyleColor();
    if (pressed) select_image(state, index);
    if (ImGui::IsItemHovered()) {
      ImGui::BeginTooltip();
      ImGui::TextUnformatted(image.path.c_str());
      for (const auto& [column, value] : image.labels) ImGui::Text("%s: %s", column.c_str(), value.c_str());
      if (const std::string* error = state.textures->error(image.path)) ImGui::TextWrapped("%s", error->c_str());
      ImGui::EndTooltip();
    }
    std::string name = image.name;
    if (ImGui::CalcTextSize(name.c_str()).x > thumb) name = name.substr(0, 12) + "…";
    ImGui::TextUnformatted(name.c_str());
    ImGui::EndGroup();
    ImGui::PopID();
    if ((k + 1) % size_t(per_row) != 0) ImGui::SameLine();
  }
  ImGui::EndChild();
  ImGui::End();
}

}  // namespace loupe::ui
