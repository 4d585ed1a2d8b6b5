// Arabic shaping and bidirectional layout for drawing with a font that has the Arabic
// presentation forms (DejaVu Sans). Dear ImGui draws code points left to right one glyph each, so
// text is turned into *visual* order here first: FriBidi resolves the embedding levels, joins the
// Arabic letters (initial / medial / final / isolated forms), makes the lam-alef ligatures, mirrors
// brackets, and reorders each line. Torch- and GL-free, so it is unit-tested on its own.
#pragma once
#include <functional>
#include <string>
#include <vector>

namespace loupe::ui {

// True when the text holds a right-to-left letter (Arabic, Hebrew, ...).
bool has_rtl(const std::string& utf8);

// The paragraph direction FriBidi resolves (first strong letter): true for right to left.
bool is_rtl_paragraph(const std::string& utf8);

// One line: shaped (presentation forms, ligatures) and in visual order, left to right on screen.
// Text with no right-to-left letter comes back unchanged. Invalid UTF-8 is replaced by U+FFFD.
std::string shape_line(const std::string& utf8);

// A paragraph broken at spaces into lines no wider than `max_width` (measured with `measure` on
// the shaped text; a single word wider than that gets a line of its own), each line shaped and in
// visual order. Line breaking happens in logical order, before reordering, as UAX #9 requires.
std::vector<std::string> shape_paragraph(const std::string& utf8, float max_width,
                                         const std::function<float(const std::string&)>& measure);

}  // namespace loupe::ui
