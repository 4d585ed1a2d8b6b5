#include "core/eval/bleu.h"

#include <cmath>
#include <unordered_map>

#include "core/error.h"
#include "core/eval/tokenizer_13a.h"

namespace loupe::eval {
namespace {

using NgramCounts = std::unordered_map<std::string, int64_t>;  // n-gram joined by ' ' -> count

// Counts of every n-gram of order 1..kBleuMaxOrder, one map per order.
std::array<NgramCounts, kBleuMaxOrder> count_ngrams(const std::vector<std::string>& tokens) {
  std::array<NgramCounts, kBleuMaxOrder> counts;
  for (size_t start = 0; start < tokens.size(); ++start) {
    std::string ngram;
    for (int order = 1; order <= kBleuMaxOrder && start + order <= tokens.size(); ++order) {
      if (order > 1) ngram += ' ';
      ngram += tokens[start + order - 1];
      ++counts[order - 1][ngram];
    }
  }
  return counts;
}

// BLEU's tokens of one segment, as sacreBLEU prepares it (trailing whitespace stripped first).
std::vector<std::string> segment_tokens(const std::string& segment) {
  return tokenize_13a(rstrip_python_whitespace(segment));
}

// The sufficient statistics of one segment, added to `stats`.
void add_segment(const std::string& hypothesis, const std::string& reference, BleuScore& stats) {
  const auto hypothesis_tokens = segment_tokens(hypothesis);
  const auto reference_tokens = segment_tokens(reference);
  stats.sys_len += static_cast<int64_t>(hypothesis_tokens.size());
  stats.ref_len += static_cast<int64_t>(reference_tokens.size());
  const auto hypothesis_counts = count_ngrams(hypothesis_tokens);
  const auto reference_counts = count_ngrams(reference_tokens);
  for (int order = 0; order < kBleuMaxOrder; ++order) {
    for (const auto& [ngram, count] : hypothesis_counts[order]) {
      stats.totals[order] += count;
      const auto found = reference_counts[order].find(ngram);
      if (found != reference_counts[order].end()) stats.matches[order] += std::min(count, found->second);
    }
  }
}

double log_or_floor(double value) { return value == 0.0 ? -9999999999.0 : std::log(value); }

// sacreBLEU's BLEU.compute_bleu with smooth_method "exp".
void compute_score(BleuScore& stats, bool effective_order) {
  if (stats.sys_len < stats.ref_len)
    stats.brevity_penalty = stats.sys_len > 0
        ? std::exp(1.0 - static_cast<double>(stats.ref_len) / static_cast<double>(stats.sys_len))
        : 0.0;
  else
    stats.brevity_penalty = 1.0;
  stats.precisions.fill(0.0);
  stats.score = 0.0;
  bool any_match = false;
  for (int64_t matches : stats.matches) any_match = any_match || matches > 0;
  if (!any_match) return;

  double smoothing = 1.0;
  int orders_used = kBleuMaxOrder;
  for (int order = 1; order <= kBleuMaxOrder; ++order) {
    const auto total = static_cast<double>(stats.totals[order - 1]);
    if (stats.totals[order - 1] == 0) break;
    if (effective_order) orders_used = order;
    if (stats.matches[order - 1] == 0) {
      smoothing *= 2.0;
      stats.precisions[order - 1] = 100.0 / (smoothing * total);
    } else {
      stats.precisions[order - 1] = 100.0 * static_cast<double>(stats.matches[order - 1]) / total;
    }
  }
  double log_sum = 0.0;
  for (int order = 0; order < orders_used; ++order) log_sum += log_or_floor(stats.precisions[order]);
  stats.score = stats.brevity_penalty * std::exp(log_sum / orders_used);
}

}  // namespace

BleuScore corpus_bleu(const std::vector<std::string>& hypotheses,
                      const std::vector<std::string>& references) {
  if (hypotheses.size() != references.size())
    throw InputError("BLEU needs one reference per hypothesis; got " +
                     std::to_string(hypotheses.size()) + " hypotheses and " +
                     std::to_string(references.size()) + " references");
  BleuScore stats;
  for (size_t i = 0; i < hypotheses.size(); ++i) add_segment(hypotheses[i], references[i], stats);
  compute_score(stats, /*effective_order=*/false);
  return stats;
}

BleuScore sentence_bleu(const std::string& hypothesis, const std::string& reference) {
  BleuScore stats;
  add_segment(hypothesis, reference, stats);
  compute_score(stats, /*effective_order=*/true);
  return stats;
}

}  // namespace loupe::eval
