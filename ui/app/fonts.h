// The app's fonts: DejaVu Sans (Latin + Arabic, with the Arabic presentation forms that shaped text
// uses), found at run time, at sizes scaled by the monitor's content scale (DPI).
#pragma once
#include <string>

struct ImFont;

namespace loupe::ui {

struct Fonts {
  ImFont* body = nullptr;     // panels, chips
  ImFont* caption = nullptr;  // the large caption text
  float scale = 1.0f;         // content scale the sizes were multiplied by
  std::string path;           // the font file used
};

// The font file: $LOUPE_FONT, else DejaVu Sans in the usual system places. Throws IoError saying
// to install fonts-dejavu-core (or set LOUPE_FONT) when none is found.
std::string find_font_file();

// Adds both sizes to the current ImGui context's atlas (before the renderer builds it).
Fonts load_fonts(float content_scale);

}  // namespace loupe::ui
