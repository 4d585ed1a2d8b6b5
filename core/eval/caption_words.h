// Splitting English and Arabic captions into words for matching against word lists and templates.
#pragma once
#include <string>
#include <vector>

namespace loupe::eval {

enum class Language { English, Arabic };

const char* language_name(Language language);  // "en", "ar"

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

}  // namespace loupe::eval
