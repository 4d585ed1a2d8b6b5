// The few UTF-8 facts the tokenizer and the dataset reader need: where a character ends, what
// code point it holds, and whether it is white space in Unicode's sense (the property Rust's
// `char::is_whitespace` and the regex `\s` test, which Hugging Face `tokenizers` uses).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace loupe::util {

// Byte length of the character that starts with `lead`; 1 for a byte that cannot start one.
inline size_t utf8_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

// True when `text` is well-formed UTF-8 (no stray continuation bytes, no truncated characters,
// no overlong forms, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view text);

// The code point of the character starting at byte `pos` of valid UTF-8 text.
char32_t code_point_at(std::string_view text, size_t pos);

// Decodes the character at byte `pos` of any text, checking it: sets `length` to the bytes it
// takes and returns its code point, or kInvalidCodePoint with length 1 for a malformed, truncated,
// overlong or surrogate sequence (so callers can skip or replace one bad byte at a time).
inline constexpr char32_t kInvalidCodePoint = 0xFFFFFFFF;
char32_t decode_checked(std::string_view text, size_t pos, size_t& length);

// Appends the UTF-8 encoding of `code` (at most U+10FFFF) to `out`.
void append_utf8(std::string& out, char32_t code);

// Byte offset where the character ending just before byte `pos` starts (valid UTF-8, pos > 0).
inline size_t previous_char_start(std::string_view text, size_t pos) {
  do --pos;
  while (pos > 0 && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80);
  return pos;
}

// Unicode White_Space: tab to carriage return, space, NEL, no-break space, ogham space, the
// U+2000..U+200A spaces, line and paragraph separators, narrow no-break, medium math and
// ideographic space.
inline bool is_unicode_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

}  // namespace loupe::util
