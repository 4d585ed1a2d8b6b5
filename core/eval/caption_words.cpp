#include "core/eval/caption_words.h"

#include <cstdint>

#include "core/util/utf8.h"

namespace loupe::eval {

namespace {

bool is_apostrophe(char32_t c) { return c == U'\'' || c == U'\u2019'; }

// Marks that are dropped without splitting the word: Arabic harakat/tanwin/shadda/sukun and other
// combining marks, dagger alif, tatweel, zero-width (non-)joiners and direction marks.
bool is_ignored(char32_t c) {
  return (c >= 0x064B && c <= 0x065F) || c == 0x0670 || c == 0x0640 || (c >= 0x200B && c <= 0x200F) || c == 0xFEFF;
}

bool is_separator(char32_t c) {
  if (c == util::kInvalidCodePoint) return true;
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


std::vector<std::string> caption_words(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  for (size_t i = 0, length = 0; i < text.size(); i += length) {
    const char32_t c = util::decode_checked(text, i, length);
    if (is_ignored(c)) continue;
    if (is_apostrophe(c)) {
      word += '\'';
    } else if (is_separator(c)) {
      finish_word(word, words);
    } else {
      util::append_utf8(word, normalise(c));
    }
  }
  finish_word(word, words);
  return words;
}

bool contains_arabic(const std::string& text) {
  for (size_t i = 0, length = 0; i < text.size(); i += length) {
    const char32_t c = util::decode_checked(text, i, length);
    if (c >= 0x0600 && c <= 0x06FF) return true;
  }
  return false;
}

bool starts_with(const std::string& word, const std::string& prefix) {
  return word.compare(0, prefix.size(), prefix) == 0;
}
bool ends_with(const std::string& word, const std::string& suffix) {
  return word.size() >= suffix.size() && word.compare(word.size() - suffix.size(), suffix.size(), suffix) == 0;
}
size_t letter_count(const std::string& word) {
  size_t count = 0;
  for (char byte : word) count += (uint8_t(byte) & 0xC0) != 0x80;
  return count;
}
std::string without_first_letter(const std::string& word) {
  size_t end = 1;
  while (end < word.size() && (uint8_t(word[end]) & 0xC0) == 0x80) ++end;
  return word.substr(end);
}

}  // namespace loupe::eval
