#include "core/eval/caption_words.h"

#include <cstdint>

#include "core/text/utf8.h"

namespace loupe::eval {

namespace {

bool is_apostrophe(char32_t c) { return c == U'\'' || c == U'\u2019'; }

// Marks that are dropped without splitting the word: Arabic harakat/tanwin/shadda/sukun and other
// combining marks, dagger alif, tatweel, zero-width (non-)joiners and direction marks.
bool is_ignored(char32_t c) {
  return (c >= 0x064B && c <= 0x065F) || c == 0x0670 || c == 0x0640 || (c >= 0x200B && c <= 0x200F) || c == 0xFEFF;
}

bool is_separator(char32_t c) {
  if (c == text::kInvalidCodePoint) return true;
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
    const char32_t c = text::decode_checked(text, i, length);
    if (is_ignored(c)) continue;
    if (is_apostrophe(c)) {
      word += '\'';
    } else if (is_separator(c)) {
      finish_word(word, words);
    } else {
      text::append_utf8(word, normalise(c));
    }
  }
  finish_word(word, words);
  return words;
}

bool contains_arabic(const std::string& text) {
  for (size_t i = 0, length = 0; i < text.size(); i += length) {
    const char32_t c = text::decode_checked(text, i, length);
    if (c >= 0x0600 && c <= 0x06FF) return true;
  }
  return false;
}

}  // namespace loupe::eval
