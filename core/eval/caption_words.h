// Splitting English and Arabic captions into words for matching against word lists and templates.
#pragma once
#include <string>
#include <vector>

#include "core/util/language.h"

namespace loupe::eval {

// The caption's words, normalised for matching:
// - split on whitespace and punctuation (ASCII, Arabic comma/semicolon/question mark/full stop,
//   guillemets, general punctuation such as dashes, quotes and ellipses);
// - ASCII lower-cased; a trailing possessive 's (or ’s) dropped ("woman's" -> "woman");
// - Arabic diacritics (harakat, tanwin, shadda, sukun, dagger alif), tatweel and zero-width
//   joiners removed, and the hamza/madda alif forms أ إ آ ٱ written as a bare alif ا.
// Taa marbuta ة and alif maqsura ى are kept: they carry gender and tense information.
// Invalid UTF-8 bytes act as separators.
std::vector<std::string> caption_words(const std::string& text);

// True when the text holds at least one letter of the Arabic block (U+0600-U+06FF).
bool contains_arabic(const std::string& text);

// Word tests for the gender rules, on normalised caption words (UTF-8).
bool starts_with(const std::string& word, const std::string& prefix);
bool ends_with(const std::string& word, const std::string& suffix);
size_t letter_count(const std::string& word);               // code points
std::string without_first_letter(const std::string& word);  // drops the first code point

}  // namespace loupe::eval
