#include "core/eval/tokenizer_13a.h"

namespace loupe::eval {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_period_or_comma(char c) { return c == '.' || c == ','; }

// The class [\{-\~\[-\` -\&\(-\+\:-\@\/] of the first 13a rule: ASCII punctuation except
// apostrophe, comma, hyphen and period.
bool is_split_punctuation(char c) {
  return (c >= '{' && c <= '~') || (c >= '[' && c <= '`') || (c >= ' ' && c <= '&') ||
         (c >= '(' && c <= '+') || (c >= ':' && c <= '@') || c == '/';
}

constexpr char32_t kReplacement = 0xFFFD;

// Decodes the code point at text[at]; `length` receives its byte count. A malformed sequence's
// first byte decodes as U+FFFD (not a space) with length 1.
char32_t decode_utf8(std::string_view text, size_t at, size_t& length) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  const size_t extra = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
  length = 1;
  if (lead < 0x80) return lead;
  if (extra == 0 || at + extra >= text.size()) return kReplacement;
  char32_t code_point = lead & (0x3F >> extra);
  for (size_t i = 1; i <= extra; ++i) {
    if ((byte(at + i) & 0xC0) != 0x80) return kReplacement;
    code_point = (code_point << 6) | (byte(at + i) & 0x3F);
  }
  constexpr char32_t kSmallest[] = {0, 0x80, 0x800, 0x10000};  // shorter forms are malformed
  if (lead >= 0xF8 || code_point < kSmallest[extra]) return kReplacement;
  length = extra + 1;
  return code_point;
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  std::string result;
  size_t start = 0;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, start)) {
    result.append(text, start, at - start).append(to);
    start = at + from.size();
  }
  return result.append(text, start, std::string::npos);
}

// The four substitutions of sacrebleu's TokenizerRegexp, each a left-to-right scan with the
// non-overlapping matches of Python's re.sub. Working on bytes gives the same result as on code
// points: every pattern anchors on an ASCII byte, which never occurs inside a multi-byte sequence.
std::string apply_13a_rules(const std::string& text) {
  std::string padded;  // ([\{-\~\[-\` -\&\(-\+\:-\@\/]) -> " \1 "
  for (char c : text) {
    if (is_split_punctuation(c))
      padded.append(1, ' ').append(1, c).append(1, ' ');
    else
      padded += c;
  }
  std::string after_word;  // ([^0-9])([\.,]) -> "\1 \2 "
  for (size_t i = 0; i < padded.size(); ++i) {
    if (!is_digit(padded[i]) && i + 1 < padded.size() && is_period_or_comma(padded[i + 1])) {
      after_word.append(1, padded[i]).append(1, ' ').append(1, padded[i + 1]).append(1, ' ');
      ++i;
    } else {
      after_word += padded[i];
    }
  }
  std::string before_word;  // ([\.,])([^0-9]) -> " \1 \2"
  for (size_t i = 0; i < after_word.size(); ++i) {
    if (is_period_or_comma(after_word[i]) && i + 1 < after_word.size() &&
        !is_digit(after_word[i + 1])) {
      before_word.append(1, ' ').append(1, after_word[i]).append(1, ' ').append(1, after_word[i + 1]);
      ++i;
    } else {
      before_word += after_word[i];
    }
  }
  std::string dashes;  // ([0-9])(-) -> "\1 \2 "
  for (size_t i = 0; i < before_word.size(); ++i) {
    if (is_digit(before_word[i]) && i + 1 < before_word.size() && before_word[i + 1] == '-') {
      dashes.append(1, before_word[i]).append(" - ");
      ++i;
    } else {
      dashes += before_word[i];
    }
  }
  return dashes;
}

}  // namespace

bool is_python_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

std::vector<std::string> split_python_whitespace(std::string_view text) {
  std::vector<std::string> tokens;
  size_t token_start = std::string_view::npos;
  for (size_t at = 0, length = 0; at < text.size(); at += length) {
    const bool space = is_python_space(decode_utf8(text, at, length));
    if (space && token_start != std::string_view::npos) {
      tokens.emplace_back(text.substr(token_start, at - token_start));
      token_start = std::string_view::npos;
    } else if (!space && token_start == std::string_view::npos) {
      token_start = at;
    }
  }
  if (token_start != std::string_view::npos) tokens.emplace_back(text.substr(token_start));
  return tokens;
}

std::string_view rstrip_python_whitespace(std::string_view text) {
  size_t keep = 0;
  for (size_t at = 0, length = 0; at < text.size(); at += length)
    if (!is_python_space(decode_utf8(text, at, length))) keep = at + length;
  return text.substr(0, keep);
}

std::vector<std::string> tokenize_13a(std::string_view text) {
  std::string line(text);
  line = replace_all(std::move(line), "<skipped>", "");
  line = replace_all(std::move(line), "-\n", "");
  line = replace_all(std::move(line), "\n", " ");
  line = replace_all(std::move(line), "&quot;", "\"");
  line = replace_all(std::move(line), "&amp;", "&");
  line = replace_all(std::move(line), "&lt;", "<");
  line = replace_all(std::move(line), "&gt;", ">");
  return split_python_whitespace(apply_13a_rules(" " + line + " "));
}

}  // namespace loupe::eval
