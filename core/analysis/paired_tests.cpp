#include "core/analysis/paired_tests.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "core/error.h"

namespace loupe::analysis {

namespace {

// P(W+ <= w) under the null for ranks 1..n: counts of sign patterns by rank sum.
double exact_lower_tail(int64_t n, double w) {
  const int64_t top = n * (n + 1) / 2;
  std::vector<double> counts(size_t(top + 1), 0.0);  // counts[s]: subsets of 1..k with sum s
  counts[0] = 1;
  for (int64_t k = 1; k <= n; ++k)
    for (int64_t s = top; s >= k; --s) counts[size_t(s)] += counts[size_t(s - k)];
  double below = 0;
  for (int64_t s = 0; s <= top && double(s) <= w + 1e-9; ++s) below += counts[size_t(s)];
  return below / std::ldexp(1.0, int(n));
}

}  // namespace

WilcoxonResult wilcoxon_signed_rank(const std::vector<double>& differences) {
  std::vector<double> d;
  for (double value : differences)
    if (value != 0) d.push_back(value);
  WilcoxonResult result;
  result.n = int64_t(d.size());
  if (d.empty()) return result;
  std::vector<size_t> order(d.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return std::abs(d[a]) < std::abs(d[b]); });
  double tie_term = 0;  // Σ (t³ − t) over groups of tied |d|
  for (size_t start = 0; start < order.size();) {
    size_t end = start;
    while (end < order.size() && std::abs(d[order[end]]) == std::abs(d[order[start]])) ++end;
    const double rank = double(start + end + 1) / 2;  // mid-rank of positions start..end-1 (1-based)
    for (size_t i = start; i < end; ++i)
      if (d[order[i]] > 0) result.w_plus += rank;
    const double t = double(end - start);
    tie_term += t * t * t - t;
    start = end;
  }
  const double n = double(result.n);
  if (result.n <= 50 && tie_term == 0) {
    result.exact = true;
    const double top = n * (n + 1) / 2;
    const double lower = exact_lower_tail(result.n, result.w_plus);
    const double upper = exact_lower_tail(result.n, top - result.w_plus);  // P(W+ >= w) by symmetry
    result.p = std::min(1.0, 2 * std::min(lower, upper));
    return result;
  }
  const double mean = n * (n + 1) / 4;
  const double variance = n * (n + 1) * (2 * n + 1) / 24 - tie_term / 48;
  result.p = variance > 0 ? std::erfc(std::abs(result.w_plus - mean) / std::sqrt(variance) / std::sqrt(2.0)) : 1.0;
  return result;
}

Interval bootstrap_mean_interval(const std::vector<double>& values, int64_t resamples, uint64_t seed, double level) {
  if (values.empty()) throw InputError("a bootstrap interval needs at least one value");
  if (resamples < 1 || !(level > 0 && level < 1)) throw InputError("a bootstrap needs resamples >= 1 and a level in (0, 1)");
  std::mt19937_64 generator(seed);
  std::uniform_int_distribution<size_t> pick(0, values.size() - 1);
  std::vector<double> means(static_cast<size_t>(resamples));
  for (double& mean : means) {
    double sum = 0;
    for (size_t i = 0; i < values.size(); ++i) sum += values[pick(generator)];
    mean = sum / double(values.size());
  }
  std::sort(means.begin(), means.end());
  const auto quantile = [&](double q) {  // linear interpolation between order statistics
    const double at = q * double(means.size() - 1);
    const size_t below = size_t(std::floor(at));
    const size_t above = std::min(below + 1, means.size() - 1);
    return means[below] + (at - double(below)) * (means[above] - means[below]);
  };
  return {quantile((1 - level) / 2), quantile((1 + level) / 2)};
}

McNemarResult mcnemar_exact(int64_t b, int64_t c) {
  McNemarResult result{b, c, 1.0};
  const int64_t n = b + c;
  if (n == 0) return result;
  double tail = 0;  // P(X <= min(b, c)), each term exp(log C(n, i) − n log 2)
  for (int64_t i = 0; i <= std::min(b, c); ++i)
    tail += std::exp(std::lgamma(double(n + 1)) - std::lgamma(double(i + 1)) - std::lgamma(double(n - i + 1)) -
                     double(n) * std::log(2.0));
  result.p = std::min(1.0, 2 * tail);
  return result;
}

}  // namespace loupe::analysis
