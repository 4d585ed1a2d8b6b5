// The two caption languages, one type for prompts, stores, evaluation and both front ends.
#pragma once
#include <array>
#include <string>
#include <vector>

namespace loupe {

enum class Language { English, Arabic };

constexpr std::array<Language, 2> kLanguages = {Language::English, Language::Arabic};

const char* language_code(Language language);  // "en", "ar": the code in files and on the command line
// "en" or "ar"; throws InputError naming `what` (e.g. "--lang") for any other word.
Language parse_language(const std::string& code, const std::string& what = "language");
std::vector<Language> parse_languages(const std::vector<std::string>& codes, const std::string& what = "language");
std::vector<std::string> language_codes(const std::vector<Language>& languages);

}  // namespace loupe
