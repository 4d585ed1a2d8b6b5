// ROUGE-L (longest common subsequence) for caption quality, English and Arabic alike.
// Tokens: the 13a tokenizer (as BLEU), after spacing out Arabic and typographic punctuation that
// 13a leaves attached; ASCII letters lower-cased; tokens made only of punctuation dropped.
// Unlike rouge_score's default tokenizer, which keeps only [a-z0-9] and so turns Arabic text into
// nothing, every other character is kept, so Arabic captions score. Apostrophes stay inside words
// ("man's" is one token; rouge_score gives "man", "s"). No stemming.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace loupe::eval {

struct RougeL {
  double precision = 0.0;  // LCS / hypothesis tokens
  double recall = 0.0;     // LCS / reference tokens
  double f1 = 0.0;         // harmonic mean; 0 when either side has no tokens
};

std::vector<std::string> rouge_tokens(std::string_view text);

RougeL rouge_l(const std::string& hypothesis, const std::string& reference);

// Means of the sentence precision, recall and F1 (the corpus value is the mean F1). All zero for
// empty lists. Throws InputError when the two lists differ in length.
RougeL corpus_rouge_l(const std::vector<std::string>& hypotheses,
                      const std::vector<std::string>& references);

}  // namespace loupe::eval
