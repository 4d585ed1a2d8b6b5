#include "core/eval/caption_words.h"

#include <cstdint>

namespace loupe::eval {

namespace {

constexpr char32_t kInvalid = 0xFFFFFFFF;

// Decodes one UTF-8 sequence at text[i]; sets `length` to the bytes consumed (1 for an invalid byte).
char32_t decode(const std::string& text, size_t i, size_t& length) {
  const auto byte = [&](size_t k) { return uint8_t(text[k]); };
  const uint8_t lead = byte(i);
  length = 1;
  if (lead < 0x80) return lead;
  size_t extra = 0;
  char32_t code = 0;
  if ((lead & 0xE0) == 0xC0)
    extra = 1, code = lead & 0x1F;
  else if ((lead & 0xF0) == 0xE0)
    extra = 2, code = lead & 0x0F;
  else if ((lead & 0xF8) == 0xF0)
    extra = 3, code = lead & 0x07;
  else
    return kInvalid;
  if (i + extra >= text.size()) return kInvalid;
  for (size_t k = 1; k <= extra; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return kInvalid;
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  const char32_t smallest[4] = {0, 0x80, 0x800, 0x10000};
  if (code < smallest[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return kInvalid;
  length = extra + 1;
  return code;
}

void encode(char32_t code, std::string& out) {
  if (code < 0x80) {
    out += char(code);
  } else if (code < 0x800) {
    out += char(0xC0 | (code >> 6));
    out += char(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += char(0xE0 | (code >> 12));
    out += char(0x80 | ((code >> 6) & 0x3F));
    out += char(0x80 | (code & 0x3F));
  } else {
    out += char(0xF0 | (code >> 18));
    out += char(0x80 | ((code >> 12) & 0x3F));
    out += char(0x80 | ((code >> 6) & 0x3F));
    out += char(0x80 | (code & 0x3F));
  }
}

bool is_apostrophe(char32_t c) { return c == U'\'' || c == U'\u2019'; }

// Marks that are dropped without splitting the word: Arabic harakat/tanwin/shadda/sukun and other
// combining marks, dagger alif, tatweel, zero-width (non-)joiners and direction marks.
bool is_ignored(char32_t c) {
  return (c >= 0x064B && c <= 0x065F) || c == 0x0670 || c == 0x0640 || (c >= 0x200B && c <= 0x200F) || c == 0xFEFF;
}

bool is_separator(char32_t c) {
  if (c == kInvalid) return true;
  if (c < 0x80) return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
  return c == 0x00A0 || c == 0x00AB || c == 0x00BB || c == 0x060C || c == 0x061B || c == 0x061F || c == 0x06D4 ||
         c == 0x066A || c == 0x066B || c == 0x066C || (c >= 0x2000 && c <= 0x206F) || (c >= 0x3000 && c <= 0x303F);
}

char32_t normalise(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c - 'A' + 'a';
  if (c == 0x0622 || c == 0x0623 || c == 0x0625 || c == 0x0671) return 0x0627;  // آ أ إ ٱ -> ا
  return c;
}

void finish_word(std::string& word, std::vector<std::string>& words) {
  while (!word.empty() && word.front() == '\'') word.erase(word.begin());
  while (!word.empty() && word.back() == '\'') word.pop_back();
  if (word.size() > 2 && word.compare(word.size() - 2, 2, "'s") == 0) word.resize(word.size() - 2);
  if (!word.empty()) words.push_back(word);
  word.clear();
}

}  // namespace

const char* language_name(Language language) { return language == Language::Arabic ? "ar" : "en"; }

std::vector<std::string> caption_words(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  for (size_t i = 0, length = 0; i < text.size(); i += length) {
    const char32_t c = decode(text, i, length);
    if (is_ignored(c)) continue;
    if (is_apostrophe(c)) {
      word += '\'';
    } else if (is_separator(c)) {
      finish_word(word, words);
    } else {
      encode(normalise(c), word);
    }
  }
  finish_word(word, words);
  return words;
}

bool contains_arabic(const std::string& text) {
  for (size_t i = 0, length = 0; i < text.size(); i += length) {
    const char32_t c = decode(text, i, length);
    if (c >= 0x0600 && c <= 0x06FF) return true;
  }
  return false;
}

}  // namespace loupe::eval
