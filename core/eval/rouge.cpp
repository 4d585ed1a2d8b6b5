#include "core/eval/rouge.h"

#include <algorithm>

#include "core/error.h"
#include "core/eval/tokenizer_13a.h"

namespace loupe::eval {
namespace {

// Punctuation outside ASCII that captions use and 13a does not split off (UTF-8).
constexpr std::string_view kWidePunctuation[] = {
    "\u060C", "\u061B", "\u061F", "\u066A", "\u066B", "\u066C", "\u06D4",  // ، ؛ ؟ ٪ ٫ ٬ ۔
    "\u00AB", "\u00BB", "\u2018", "\u2019", "\u201C", "\u201D",            // « » ‘ ’ “ ”
    "\u2013", "\u2014", "\u2026",                                          // – — …
};

bool is_ascii_punctuation(char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}

// `text` with a space on each side of every kWidePunctuation mark.
std::string space_wide_punctuation(std::string_view text) {
  std::string spaced;
  for (size_t at = 0; at < text.size();) {
    const auto mark = std::find_if(std::begin(kWidePunctuation), std::end(kWidePunctuation),
                                   [&](std::string_view p) { return text.substr(at, p.size()) == p; });
    if (mark == std::end(kWidePunctuation)) {
      spaced += text[at++];
      continue;
    }
    spaced.append(1, ' ').append(*mark).append(1, ' ');
    at += mark->size();
  }
  return spaced;
}

bool is_punctuation_only(const std::string& token) {
  for (size_t at = 0; at < token.size();) {
    if (is_ascii_punctuation(token[at])) {
      ++at;
      continue;
    }
    const auto mark = std::find_if(std::begin(kWidePunctuation), std::end(kWidePunctuation),
                                   [&](std::string_view p) { return token.compare(at, p.size(), p) == 0; });
    if (mark == std::end(kWidePunctuation)) return false;
    at += mark->size();
  }
  return true;
}

size_t longest_common_subsequence(const std::vector<std::string>& a,
                                  const std::vector<std::string>& b) {
  std::vector<size_t> previous(b.size() + 1, 0), current(b.size() + 1, 0);
  for (const auto& token : a) {
    for (size_t j = 1; j <= b.size(); ++j)
      current[j] = token == b[j - 1] ? previous[j - 1] + 1 : std::max(previous[j], current[j - 1]);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

}  // namespace

std::vector<std::string> rouge_tokens(std::string_view text) {
  std::vector<std::string> tokens;
  for (auto& token : tokenize_13a(space_wide_punctuation(text))) {
    if (is_punctuation_only(token)) continue;
    for (char& c : token)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    tokens.push_back(std::move(token));
  }
  return tokens;
}

RougeL rouge_l(const std::string& hypothesis, const std::string& reference) {
  const auto hypothesis_tokens = rouge_tokens(hypothesis);
  const auto reference_tokens = rouge_tokens(reference);
  if (hypothesis_tokens.empty() || reference_tokens.empty()) return {};
  const auto common = static_cast<double>(longest_common_subsequence(hypothesis_tokens, reference_tokens));
  RougeL score;
  score.precision = common / static_cast<double>(hypothesis_tokens.size());
  score.recall = common / static_cast<double>(reference_tokens.size());
  if (score.precision + score.recall > 0)
    score.f1 = 2.0 * score.precision * score.recall / (score.precision + score.recall);
  return score;
}

RougeL corpus_rouge_l(const std::vector<std::string>& hypotheses,
                      const std::vector<std::string>& references) {
  if (hypotheses.size() != references.size())
    throw InputError("ROUGE-L needs one reference per hypothesis; got " +
                     std::to_string(hypotheses.size()) + " hypotheses and " +
                     std::to_string(references.size()) + " references");
  RougeL mean;
  if (hypotheses.empty()) return mean;
  for (size_t i = 0; i < hypotheses.size(); ++i) {
    const RougeL sentence = rouge_l(hypotheses[i], references[i]);
    mean.precision += sentence.precision;
    mean.recall += sentence.recall;
    mean.f1 += sentence.f1;
  }
  const auto count = static_cast<double>(hypotheses.size());
  mean.precision /= count;
  mean.recall /= count;
  mean.f1 /= count;
  return mean;
}

}  // namespace loupe::eval
