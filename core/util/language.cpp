#include "core/util/language.h"

#include "core/error.h"

namespace loupe {

const char* language_code(Language language) { return language == Language::Arabic ? "ar" : "en"; }

Language parse_language(const std::string& code, const std::string& what) {
  if (code == "en") return Language::English;
  if (code == "ar") return Language::Arabic;
  throw InputError("unknown " + what + " '" + code + "'; use en (English) or ar (Arabic)");
}

std::vector<Language> parse_languages(const std::vector<std::string>& codes, const std::string& what) {
  std::vector<Language> languages;
  for (const std::string& code : codes) languages.push_back(parse_language(code, what));
  return languages;
}

std::vector<std::string> language_codes(const std::vector<Language>& languages) {
  std::vector<std::string> codes;
  for (Language language : languages) codes.push_back(language_code(language));
  return codes;
}

}  // namespace loupe
