#include "core/study/gender_tokens.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>

namespace loupe::study {

namespace {

using WordPair = std::pair<const char*, const char*>;  // female, male

constexpr WordPair kEnglishPairs[] = {{"woman", "man"},       {"women", "men"},       {"girl", "boy"},
                                      {"girls", "boys"},      {"lady", "gentleman"},  {"she", "he"},
                                      {"her", "his"},         {"mother", "father"},   {"wife", "husband"},
                                      {"sister", "brother"},  {"daughter", "son"}};
constexpr WordPair kArabicPairs[] = {{"امرأة", "رجل"},   {"نساء", "رجال"}, {"امرأتان", "رجلان"},
                                     {"فتاة", "فتى"},    {"بنت", "ولد"},  {"سيدة", "سيد"}};


std::string lower_ascii(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return text;
}

}  // namespace

std::optional<GenderedStep> gendered_step(const text::Tokenizer& tokenizer, const std::vector<int64_t>& tokens, Language lang) {
  const bool english = lang == Language::English;
  const WordPair* begin = english ? std::begin(kEnglishPairs) : std::begin(kArabicPairs);
  const WordPair* end = english ? std::end(kEnglishPairs) : std::end(kArabicPairs);
  for (size_t step = 0; step < tokens.size(); ++step) {
    const std::string piece = tokenizer.token_text(tokens[step]);
    const bool spaced = piece.rfind(text::kSentencePieceSpace, 0) == 0;
    const std::string prefix = spaced ? text::kSentencePieceSpace : "";
    const std::string word = english ? lower_ascii(piece.substr(prefix.size())) : piece.substr(prefix.size());
    for (const WordPair* pair = begin; pair != end; ++pair) {
      if (word != pair->first && word != pair->second) continue;
      // The counterpart as this caption spells it: same leading ▁, same capital for English.
      const bool capital = english && !piece.substr(prefix.size()).empty() && std::isupper((unsigned char)piece[prefix.size()]);
      const auto spelled = [&](std::string form) {
        if (capital) form[0] = char(std::toupper((unsigned char)form[0]));
        return tokenizer.find_token(prefix + form);
      };
      const auto female = spelled(pair->first), male = spelled(pair->second);
      if (female && male) return GenderedStep{step, *female, *male};
    }
  }
  return std::nullopt;
}

}  // namespace loupe::study
