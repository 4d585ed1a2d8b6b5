// Arabic shaping and bidi reordering for the desktop app (ui/text/bidi_text.h). Expected strings
// are checked by hand against the Unicode Arabic Presentation Forms-B chart.
#include <catch2/catch.hpp>

#include "ui/text/bidi_text.h"

using loupe::ui::has_rtl;
using loupe::ui::is_rtl_paragraph;
using loupe::ui::shape_line;
using loupe::ui::shape_paragraph;

TEST_CASE("lam-alef becomes the isolated ligature U+FEFB", "[gui][bidi]") {
  CHECK(shape_line("\u0644\u0627") == "\uFEFB");
}

TEST_CASE("rajul (man) is joined and reversed to visual order", "[gui][bidi]") {
  // ر isolated FEAD (it never joins to the left), ج initial FE9F, ل final FEDE; drawn left to
  // right as ل ج ر.
  CHECK(shape_line("\u0631\u062C\u0644") == "\uFEDE\uFE9F\uFEAD");
}

TEST_CASE("salam uses the final lam-alef ligature inside a word", "[gui][bidi]") {
  // س initial FEB3, لا final ligature FEFC, م isolated FEE1 (alef does not join to the left).
  CHECK(shape_line("\u0633\u0644\u0627\u0645") == "\uFEE1\uFEFC\uFEB3");
}

TEST_CASE("medial forms in imra'a (woman)", "[gui][bidi]") {
  // ا isolated FE8D, م initial FEE3, ر final FEAE, أ isolated FE83, ة isolated FE93.
  CHECK(shape_line("\u0627\u0645\u0631\u0623\u0629") == "\uFE93\uFE83\uFEAE\uFEE3\uFE8D");
  // ب initial FE91, ي medial FEF4, ت final FE96: بيت (house)
  CHECK(shape_line("\u0628\u064A\u062A") == "\uFE96\uFEF4\uFE91");
}

TEST_CASE("mixed direction text keeps Latin runs left to right", "[gui][bidi]") {
  // English paragraph with an Arabic word: the Arabic run alone is reversed.
  CHECK(shape_line("a man \u0631\u062C\u0644 here") == "a man \uFEDE\uFE9F\uFEAD here");
  // Arabic paragraph with a Latin word: runs are laid out right to left, the Latin run stays LTR.
  CHECK(shape_line("\u0631\u062C\u0644 abc") == "abc \uFEDE\uFE9F\uFEAD");
  CHECK(is_rtl_paragraph("\u0631\u062C\u0644 abc"));
  CHECK_FALSE(is_rtl_paragraph("abc \u0631\u062C\u0644"));
}

TEST_CASE("text without right-to-left letters is returned unchanged", "[gui][bidi]") {
  CHECK_FALSE(has_rtl("a woman is cooking (in a kitchen)"));
  CHECK(shape_line("a woman is cooking (in a kitchen)") == "a woman is cooking (in a kitchen)");
  CHECK(has_rtl("x \u0631"));
}

TEST_CASE("invalid UTF-8 becomes replacement characters instead of crashing", "[gui][bidi]") {
  CHECK(shape_line(std::string("\xD8") + "\u0631") == "\uFEAD\uFFFD");
}

TEST_CASE("an Arabic paragraph breaks in logical order, each line right to left", "[gui][bidi]") {
  // Three words of three letters; a width that fits two words per line. Each character counts 1.
  const std::string text = "\u0631\u062C\u0644 \u0628\u064A\u062A \u0644\u0627";
  const auto measure = [](const std::string& s) {
    float count = 0;
    for (unsigned char c : s) count += (c & 0xC0) != 0x80;
    return count;
  };
  const auto lines = shape_paragraph(text, 7.0f, measure);
  REQUIRE(lines.size() == 2);
  // First line logically holds رجل بيت; visually بيت is on the left.
  CHECK(lines[0] == "\uFE96\uFEF4\uFE91 \uFEDE\uFE9F\uFEAD");
  CHECK(lines[1] == "\uFEFB");
  // Wide enough for everything: one line.
  CHECK(shape_paragraph(text, 100.0f, measure).size() == 1);
}
