// The screen back-end of the plot layer: a laid-out figure (core/report/figure.h) drawn into an
// ImGui draw list shape by shape, in the order report::svg writes them, so the figure on screen and
// the exported SVG are the same shapes. Only the fonts differ: DejaVu Sans from the app's atlas here,
// the browser's DejaVu Sans there. Arabic text is shaped and put in visual order first (ShapeCache).
#pragma once
#include "core/report/figure.h"

struct ImDrawList;
struct ImFont;

namespace loupe::ui {

class ShapeCache;

// Text of a given pixel size is drawn with the smaller font unless it is noticeably larger than
// that font, then with the larger one (crisp 2x exports).
struct FigureFonts {
  ImFont* small = nullptr;
  ImFont* large = nullptr;
};

// Draws `figure` with its top-left corner at (x, y) in the list's pixels and every length times
// `scale`. Shapes wholly outside the list's clip rectangle are skipped.
void draw_figure(ImDrawList& list, const report::Figure& figure, float x, float y, float scale, const FigureFonts& fonts,
                 ShapeCache& shaper);

}  // namespace loupe::ui
