// The figure on screen rendered off-screen at `scale` times its size (2 for exports): the same
// shapes through the same ImGui draw-list back-end (figure_draw.h), into an OpenGL framebuffer
// object, read back as RGB. UI thread only (a GL context must be current, after ImGui::Render).
#pragma once
#include "core/io/image.h"
#include "core/report/figure.h"
#include "ui/render/figure_draw.h"

namespace loupe::ui {

// Throws Error when the framebuffer cannot be made (a figure larger than the GL limits).
io::Image render_figure(const report::Figure& figure, float scale, const FigureFonts& fonts, ShapeCache& shaper);

}  // namespace loupe::ui
