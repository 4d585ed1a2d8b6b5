// Drawing helpers shared by the panels: right-to-left aware text, captions and token chips.
#pragma once
#include <string>
#include <vector>

#include "ui/live/live_types.h"
#include "ui/text/shape_cache.h"

struct ImFont;

namespace loupe::ui {

// One line, shaped; right-aligned in the available width when the text is right to left.
void bidi_text(ShapeCache& shaper, const std::string& text, bool align_rtl = true);
// A wrapped paragraph in `font`, broken in logical order and each line reordered; RTL paragraphs
// are right-aligned.
void bidi_paragraph(ShapeCache& shaper, const std::string& text, ImFont* font, unsigned colour = 0);

struct ChipStyle {
  const std::vector<float>* heat = nullptr;  // colour chips by these values (one per token)
  float low = 0, high = 1;
  int selected = -1;                         // outlined chip
};

// Token chips laid out in reading order (right to left for Arabic); changed chips are orange.
// Hovering shows id, logit, probability and the top-5 alternatives. Returns the clicked chip or -1.
int token_chips(ShapeCache& shaper, const CaptionText& caption, const ChipStyle& style, const char* id);

// A red, wrapped error line.
void error_text(const std::string& message);

// An inferno colour for t in [0,1] as ImGui's packed colour (the same fit as the shader).
unsigned inferno_colour(float t);

}  // namespace loupe::ui
