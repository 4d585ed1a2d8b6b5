#include "ui/text/bidi_text.h"

#include <fribidi.h>

#include <algorithm>
#include <new>

#include "core/util/utf8.h"

namespace loupe::ui {

namespace {

constexpr FriBidiChar kReplacement = 0xFFFD;

// UTF-8 → code points; malformed sequences become U+FFFD (one per bad byte).
std::vector<FriBidiChar> decode_utf8(const std::string& text) {
  std::vector<FriBidiChar> out;
  out.reserve(text.size());
  for (size_t i = 0, length = 0; i < text.size(); i += length) {
    const char32_t code = util::decode_checked(text, i, length);
    out.push_back(code == util::kInvalidCodePoint ? kReplacement : FriBidiChar(code));
  }
  return out;
}

// A paragraph after the logical-order steps: bidi types, resolved levels, shaped characters.
struct ShapedParagraph {
  std::vector<FriBidiChar> chars;  // shaped, still logical order
  std::vector<FriBidiCharType> types;
  std::vector<FriBidiLevel> levels;
  FriBidiParType direction = FRIBIDI_PAR_ON;
  bool rtl_letters = false;
};

constexpr FriBidiFlags kFlags = FRIBIDI_FLAGS_DEFAULT | FRIBIDI_FLAGS_ARABIC;

ShapedParagraph shape_logical(const std::string& text) {
  ShapedParagraph p;
  p.chars = decode_utf8(text);
  const auto n = FriBidiStrIndex(p.chars.size());
  p.types.resize(p.chars.size());
  p.levels.resize(p.chars.size());
  if (n == 0) return p;
  fribidi_get_bidi_types(p.chars.data(), n, p.types.data());
  p.rtl_letters = std::any_of(p.types.begin(), p.types.end(), [](FriBidiCharType t) { return FRIBIDI_IS_LETTER(t) && FRIBIDI_IS_RTL(t); });
  std::vector<FriBidiBracketType> brackets(p.chars.size());
  fribidi_get_bracket_types(p.chars.data(), n, p.types.data(), brackets.data());
  if (!fribidi_get_par_embedding_levels_ex(p.types.data(), brackets.data(), n, &p.direction, p.levels.data()))
    throw std::bad_alloc();  // FriBidi's only failure is a failed allocation
  std::vector<FriBidiArabicProp> joining(p.chars.size());
  fribidi_get_joining_types(p.chars.data(), n, joining.data());
  fribidi_join_arabic(p.types.data(), n, p.levels.data(), joining.data());
  fribidi_shape(kFlags, p.levels.data(), n, joining.data(), p.chars.data());
  return p;
}

// Reorders chars[begin, end) to visual order and encodes it, dropping the fill characters that
// ligatures leave behind.
std::string visual_line(ShapedParagraph& p, size_t begin, size_t end) {
  std::vector<FriBidiChar> line(p.chars.begin(), p.chars.end());
  if (!fribidi_reorder_line(kFlags, p.types.data(), FriBidiStrIndex(end - begin), FriBidiStrIndex(begin), p.direction,
                            p.levels.data(), line.data(), nullptr))
    throw std::bad_alloc();
  std::string out;
  for (size_t i = begin; i < end; ++i)
    if (line[i] != FRIBIDI_CHAR_FILL) util::append_utf8(out, line[i]);
  return out;
}

std::string logical_utf8(const ShapedParagraph& p, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end; ++i)
    if (p.chars[i] != FRIBIDI_CHAR_FILL) util::append_utf8(out, p.chars[i]);
  return out;
}

}  // namespace

bool has_rtl(const std::string& utf8) {
  const auto chars = decode_utf8(utf8);
  return std::any_of(chars.begin(), chars.end(), [](FriBidiChar c) {
    const FriBidiCharType t = fribidi_get_bidi_type(c);
    return FRIBIDI_IS_LETTER(t) && FRIBIDI_IS_RTL(t);
  });
}

bool is_rtl_paragraph(const std::string& utf8) {
  ShapedParagraph p = shape_logical(utf8);
  return p.chars.empty() ? false : FRIBIDI_IS_RTL(p.direction);
}

std::string shape_line(const std::string& utf8) {
  if (!has_rtl(utf8)) return utf8;
  ShapedParagraph p = shape_logical(utf8);
  return visual_line(p, 0, p.chars.size());
}

std::vector<std::string> shape_paragraph(const std::string& utf8, float max_width,
                                         const std::function<float(const std::string&)>& measure) {
  ShapedParagraph p = shape_logical(utf8);
  std::vector<std::string> lines;
  const size_t n = p.chars.size();
  size_t line_begin = 0;
  size_t last_break = std::string::npos;  // index of the last space inside the current line
  for (size_t i = 0; i <= n; ++i) {
    const bool at_space = i == n || p.chars[i] == ' ';
    if (!at_space) continue;
    if (measure(logical_utf8(p, line_begin, i)) > max_width && last_break != std::string::npos) {
      lines.push_back(visual_line(p, line_begin, last_break));
      line_begin = last_break + 1;
      last_break = std::string::npos;
      --i;  // measure the current word again on the new line
      continue;
    }
    last_break = i;
  }
  if (line_begin < n || lines.empty()) lines.push_back(visual_line(p, line_begin, n));
  return lines;
}

}  // namespace loupe::ui
