#include "ui/app/widgets.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "core/report/plot.h"
#include "ui/text/bidi_text.h"

namespace loupe::ui {

void bidi_text(ShapeCache& shaper, const std::string& text, bool align_rtl) {
  const std::string& shown = shaper.line(text);
  if (align_rtl && shaper.rtl(text)) {
    const float width = ImGui::CalcTextSize(shown.c_str()).x;
    const float room = ImGui::GetContentRegionAvail().x;
    if (room > width) ImGui::SetCursorPosX(ImGui::GetCursorPosX() + room - width);
  }
  ImGui::TextUnformatted(shown.c_str());
}

void bidi_paragraph(ShapeCache& shaper, const std::string& text, ImFont* font, unsigned colour) {
  if (font) ImGui::PushFont(font);
  if (colour) ImGui::PushStyleColor(ImGuiCol_Text, colour);
  const float room = std::max(ImGui::GetContentRegionAvail().x, 50.0f);
  const bool rtl = shaper.rtl(text);
  const auto lines = shape_paragraph(text, room, [](const std::string& s) { return ImGui::CalcTextSize(s.c_str()).x; });
  for (const auto& line : lines) {
    if (rtl) {
      const float width = ImGui::CalcTextSize(line.c_str()).x;
      if (room > width) ImGui::SetCursorPosX(ImGui::GetCursorPosX() + room - width);
    }
    ImGui::TextUnformatted(line.c_str());
  }
  if (colour) ImGui::PopStyleColor();
  if (font) ImGui::PopFont();
}

void error_text(const std::string& message) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.42f, 0.42f, 1.0f));
  ImGui::TextWrapped("%s", message.c_str());
  ImGui::PopStyleColor();
}

unsigned inferno_colour(float t) {
  const report::Rgba c = report::colour_at(report::ColourMap::Inferno, t);
  return IM_COL32(c.r, c.g, c.b, 255);
}

namespace {

void chip_tooltip(ShapeCache& shaper, const TokenChip& chip) {
  ImGui::BeginTooltip();
  ImGui::Text("token id %lld", static_cast<long long>(chip.id));
  ImGui::Text("logit %.3f   probability %.3f", chip.logit, chip.probability);
  if (chip.changed) ImGui::TextColored(ImVec4(1.0f, 0.6f, 0.2f, 1.0f), "differs from the unsteered caption");
  ImGui::Separator();
  ImGui::TextUnformatted("top 5 at this step:");
  for (const auto& choice : chip.top) {
    ImGui::Text("%5.1f%%  ", 100.0 * choice.probability);
    ImGui::SameLine();
    bidi_text(shaper, choice.text.empty() ? "(space)" : choice.text, false);
  }
  ImGui::EndTooltip();
}

}  // namespace

int token_chips(ShapeCache& shaper, const CaptionText& caption, const ChipStyle& style, const char* id) {
  ImGui::PushID(id);
  const bool rtl = caption.lang == Language::Arabic;
  const ImGuiStyle& imgui_style = ImGui::GetStyle();
  const float pad = imgui_style.FramePadding.x, gap = imgui_style.ItemSpacing.x * 0.5f;
  const float height = ImGui::GetTextLineHeight() + imgui_style.FramePadding.y * 2;
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float room = std::max(ImGui::GetContentRegionAvail().x, 80.0f);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  float x = 0, y = 0;
  int clicked = -1;
  for (size_t i = 0; i < caption.tokens.size(); ++i) {
    const TokenChip& chip = caption.tokens[i];
    const std::string& label = shaper.line(chip.text.empty() ? " " : chip.text);
    const float width = ImGui::CalcTextSize(label.c_str()).x + pad * 2;
    if (x > 0 && x + width > room) {
      x = 0;
      y += height + gap;
    }
    const float left = rtl ? origin.x + room - x - width : origin.x + x;
    const ImVec2 top_left(left, origin.y + y), bottom_right(left + width, origin.y + y + height);
    ImGui::SetCursorScreenPos(top_left);
    ImGui::PushID(int(i));
    if (ImGui::InvisibleButton("chip", ImVec2(width, height))) clicked = int(i);
    const bool hovered = ImGui::IsItemHovered();
    ImGui::PopID();
    unsigned fill = ImGui::GetColorU32(chip.changed ? ImVec4(0.85f, 0.45f, 0.1f, 1.0f) : ImVec4(0.25f, 0.27f, 0.32f, 1.0f));
    unsigned text_colour = ImGui::GetColorU32(ImGuiCol_Text);
    if (style.heat && i < style.heat->size()) {
      const float t = ((*style.heat)[i] - style.low) / std::max(style.high - style.low, 1e-12f);
      fill = inferno_colour(t);
      text_colour = t > 0.6f ? IM_COL32(0, 0, 0, 255) : IM_COL32(255, 255, 255, 255);
    }
    draw->AddRectFilled(top_left, bottom_right, fill, 4.0f);
    if (hovered || int(i) == style.selected)
      draw->AddRect(top_left, bottom_right, IM_COL32(255, 255, 255, 255), 4.0f, 0, 2.0f);
    else if (chip.changed && style.heat)
      draw->AddRect(top_left, bottom_right, IM_COL32(255, 150, 40, 255), 4.0f, 0, 2.0f);
    draw->AddText(ImVec2(top_left.x + pad, top_left.y + imgui_style.FramePadding.y), text_colour, label.c_str());
    if (hovered) chip_tooltip(shaper, chip);
    x += width + gap;
  }
  ImGui::SetCursorScreenPos(ImVec2(origin.x, origin.y + y + (caption.tokens.empty() ? 0 : height + gap)));
  ImGui::Dummy(ImVec2(room, 0));
  ImGui::PopID();
  return clicked;
}

}  // namespace loupe::ui
