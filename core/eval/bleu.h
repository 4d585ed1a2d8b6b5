// BLEU for caption quality, compatible with sacreBLEU 2.x defaults: the 13a tokenizer, case kept,
// n-grams up to 4, "exp" smoothing, one reference per hypothesis. corpus_bleu sums the n-gram
// statistics over all segments (not a mean of sentence scores); sentence_bleu uses sacreBLEU's
// effective order (orders the hypothesis is too short for are left out of the mean).
// Arabic goes through the same tokenizer, exactly as in sacreBLEU.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace loupe::eval {

constexpr int kBleuMaxOrder = 4;

struct BleuScore {
  double score = 0.0;                             // 0..100
  std::array<double, kBleuMaxOrder> precisions{};  // per n-gram order, in percent, smoothed
  double brevity_penalty = 0.0;
  int64_t sys_len = 0;  // hypothesis tokens
  int64_t ref_len = 0;  // reference tokens
  std::array<int64_t, kBleuMaxOrder> matches{};  // clipped n-gram matches per order
  std::array<int64_t, kBleuMaxOrder> totals{};   // hypothesis n-grams per order
};

// Throws InputError when the two lists differ in length.
BleuScore corpus_bleu(const std::vector<std::string>& hypotheses,
                      const std::vector<std::string>& references);
BleuScore sentence_bleu(const std::string& hypothesis, const std::string& reference);

}  // namespace loupe::eval
