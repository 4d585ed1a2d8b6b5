#include "ui/render/figure_draw.h"

#include <imgui.h>

#include <algorithm>
#include <cfloat>

#include "ui/text/shape_cache.h"

namespace loupe::ui {

namespace {

ImU32 packed(const report::Rgba& c) { return IM_COL32(c.r, c.g, c.b, c.a); }

constexpr float kSmallMarker = 3.0f;  // pixels: markers up to this radius are drawn as plain octagons
constexpr float kTinyMarker = 1.6f;   // and up to this one as squares of the same area

struct Painter {
  ImDrawList& list;
  float x0, y0, scale;
  const FigureFonts& fonts;
  ShapeCache& shaper;
  ImVec4 clip;  // the list's clip rectangle: min x, min y, max x, max y

  ImVec2 at(const report::Point& p) const { return ImVec2(x0 + float(p.x) * scale, y0 + float(p.y) * scale); }
  bool outside(ImVec2 min, ImVec2 max) const { return max.x < clip.x || max.y < clip.y || min.x > clip.z || min.y > clip.w; }

  void operator()(const report::RectShape& r) {
    const ImVec2 min = at(r.min), max = at(r.max);
    if (outside(min, max)) return;
    if (r.fill.a > 0) list.AddRectFilled(min, max, packed(r.fill));
    if (r.stroke) list.AddRect(min, max, packed(r.outline), 0.0f, 0, scale);
  }
  void operator()(const report::LineShape& l) {
    if (l.points.size() < 2) return;
    points_.clear();
    for (const auto& p : l.points) points_.push_back(at(p));
    list.AddPolyline(points_.data(), int(points_.size()), packed(l.colour), ImDrawFlags_None, float(l.width) * scale);
  }
  void operator()(const report::CircleShape& c) {
    const ImVec2 centre = at(c.centre);
    const float radius = float(c.radius) * scale;
    if (outside(ImVec2(centre.x - radius, centre.y - radius), ImVec2(centre.x + radius, centre.y + radius))) return;
    if (radius <= kTinyMarker) {
      const float half = radius * 0.8862269f;  // √π / 2: the square's area is the disc's
      list.PrimReserve(6, 4);
      list.PrimRect(ImVec2(centre.x - half, centre.y - half), ImVec2(centre.x + half, centre.y + half), packed(c.fill));
    } else if (radius <= kSmallMarker) {
      small_marker(centre, radius, packed(c.fill));
    } else {
      list.AddCircleFilled(centre, radius, packed(c.fill), std::clamp(int(radius * 3), 8, 32));
    }
  }
  // A filled octagon without anti-aliased edges: 8 vertices and 18 indices, against about 16 and
  // 66 for ImGui's anti-aliased circle. A 20,000-point map took 125 ms of UI-thread CPU a frame
  // with those (Mesa llvmpipe); at these sizes the edges look the same. Below 1.6 px a square
  // (4 vertices, 6 indices) looks the same too.
  void small_marker(ImVec2 centre, float radius, ImU32 colour) {
    static const float kCos[8] = {1, 0.7071068f, 0, -0.7071068f, -1, -0.7071068f, 0, 0.7071068f};
    list.PrimReserve(18, 8);
    const ImVec2 uv = ImGui::GetFontTexUvWhitePixel();
    const ImDrawIdx base = ImDrawIdx(list._VtxCurrentIdx);
    for (int k = 0; k < 8; ++k) {
      list._VtxWritePtr[k].pos = ImVec2(centre.x + radius * kCos[k], centre.y + radius * kCos[(k + 6) % 8]);
      list._VtxWritePtr[k].uv = uv;
      list._VtxWritePtr[k].col = colour;
    }
    for (int k = 1; k < 7; ++k) {  // a fan from vertex 0
      list._IdxWritePtr[0] = base;
      list._IdxWritePtr[1] = ImDrawIdx(base + k);
      list._IdxWritePtr[2] = ImDrawIdx(base + k + 1);
      list._IdxWritePtr += 3;
    }
    list._VtxWritePtr += 8;
    list._VtxCurrentIdx += 8;
  }
  void operator()(const report::TextShape& t) {
    const float size = float(t.size) * scale;
    ImFont* font = fonts.large && size > fonts.small->FontSize * 1.15f ? fonts.large : fonts.small;
    const std::string& visual = shaper.line(t.text);  // Arabic: shaped, visual order
    const ImVec2 extent = font->CalcTextSizeA(size, FLT_MAX, 0.0f, visual.c_str());
    const ImVec2 anchor = at(t.at);
    const float shift = t.anchor == report::Anchor::Start ? 0.0f : t.anchor == report::Anchor::Middle ? extent.x / 2 : extent.x;
    // ImGui places text by its top-left corner; the figure anchors it on its baseline.
    const ImVec2 top_left(anchor.x - shift, anchor.y - font->Ascent * size / font->FontSize);
    // Vertical text is laid out horizontally at the clip rectangle's corner (ImGui drops glyphs
    // outside the clip rectangle while laying out), then turned 90° counter-clockwise about its
    // anchor (screen y points down).
    const ImVec2 laid_at = t.vertical ? ImVec2(clip.x, clip.y) : top_left;
    const int first_vertex = list.VtxBuffer.Size;
    list.AddText(font, size, laid_at, packed(t.colour), visual.c_str());
    if (t.bold) list.AddText(font, size, ImVec2(laid_at.x + 0.6f * scale, laid_at.y), packed(t.colour), visual.c_str());
    if (!t.vertical) return;
    const ImVec2 laid_anchor(laid_at.x + anchor.x - top_left.x, laid_at.y + anchor.y - top_left.y);
    for (int i = first_vertex; i < list.VtxBuffer.Size; ++i) {
      ImVec2& p = list.VtxBuffer[i].pos;
      const float dx = p.x - laid_anchor.x, dy = p.y - laid_anchor.y;
      p = ImVec2(anchor.x + dy, anchor.y - dx);
    }
  }

  std::vector<ImVec2> points_ = {};  // a polyline's points, reused
};

}  // namespace

void draw_figure(ImDrawList& list, const report::Figure& figure, float x, float y, float scale, const FigureFonts& fonts,
                 ShapeCache& shaper) {
  const ImVec2 clip_min = list.GetClipRectMin(), clip_max = list.GetClipRectMax();
  Painter painter{list, x, y, scale, fonts, shaper, ImVec4(clip_min.x, clip_min.y, clip_max.x, clip_max.y)};
  for (const report::Shape& shape : figure.shapes) std::visit(painter, shape);
}

}  // namespace loupe::ui
