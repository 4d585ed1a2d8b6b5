#include "ui/app/fonts.h"

#include <imgui.h>

#include <cstdlib>
#include <filesystem>

#include "core/error.h"

namespace loupe::ui {

namespace {

// Latin, punctuation and arrows, Arabic (U+0600–06FF) and the presentation forms that FriBidi
// shapes into (A: U+FB50–FDFF, B: U+FE70–FEFF), and the replacement character.
const ImWchar kGlyphRanges[] = {
    0x0020, 0x024F, 0x2010, 0x2027, 0x2030, 0x205E, 0x2190, 0x21FF, 0x2212, 0x2212, 0x25A0, 0x25FF,
    0x0600, 0x06FF, 0xFB50, 0xFDFF, 0xFE70, 0xFEFF, 0xFFFD, 0xFFFD, 0,
};

}  // namespace

std::string find_font_file() {
  if (const char* env = std::getenv("LOUPE_FONT"); env && *env) {
    if (!std::filesystem::exists(env)) throw IoError(std::string("LOUPE_FONT names ") + env + ", which does not exist");
    return env;
  }
  for (const char* candidate : {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf",
                                "/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/local/share/fonts/DejaVuSans.ttf"})
    if (std::filesystem::exists(candidate)) return candidate;
  throw IoError(
      "DejaVu Sans was not found (it draws the Latin and Arabic text): install it with "
      "`sudo apt-get install fonts-dejavu-core`, or point LOUPE_FONT at a .ttf with Arabic presentation forms");
}

Fonts load_fonts(float content_scale) {
  Fonts fonts;
  fonts.path = find_font_file();
  fonts.scale = content_scale > 0 ? content_scale : 1.0f;
  ImGuiIO& io = ImGui::GetIO();
  ImFontConfig config;
  config.OversampleH = 2;
  fonts.body = io.Fonts->AddFontFromFileTTF(fonts.path.c_str(), 16.0f * fonts.scale, &config, kGlyphRanges);
  fonts.caption = io.Fonts->AddFontFromFileTTF(fonts.path.c_str(), 24.0f * fonts.scale, &config, kGlyphRanges);
  if (!fonts.body || !fonts.caption) throw IoError("Dear ImGui could not read the font " + fonts.path);
  return fonts;
}

}  // namespace loupe::ui
