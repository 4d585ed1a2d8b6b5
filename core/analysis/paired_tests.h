// Paired statistics over entries (an intervention's effect, entry by entry), torch-free:
// Wilcoxon's signed-rank test, a bootstrap interval of the mean difference, and McNemar's test of
// paired yes/no outcomes.
#pragma once
#include <cstdint>
#include <vector>

namespace loupe::analysis {

struct WilcoxonResult {
  int64_t n = 0;      // non-zero differences (zeros are dropped, Wilcoxon's rule)
  double w_plus = 0;  // sum of the ranks of the positive differences (ties: mid-ranks)
  double p = 1;       // two-sided
  bool exact = false; // exact null distribution (n <= 50, no ties), else the normal approximation
};

// Wilcoxon's signed-rank test of `differences` (after − before) against a zero median. Exact p for
// n <= 50 without tied |d|: 2 · min(P(W+ <= w), P(W+ >= w)), at most 1. Otherwise the normal
// approximation with the tie-corrected variance n(n+1)(2n+1)/24 − Σ(t³ − t)/48, no continuity
// correction. n = 0 gives p = 1.
WilcoxonResult wilcoxon_signed_rank(const std::vector<double>& differences);

struct Interval {
  double low = 0, high = 0;
};

// The percentile bootstrap interval of the mean of `values`: `resamples` resamples with
// replacement drawn from a generator seeded with `seed` (so it is the same on every run), the
// (1 − level)/2 and (1 + level)/2 quantiles of their means. Throws InputError for no values.
Interval bootstrap_mean_interval(const std::vector<double>& values, int64_t resamples = 2000, uint64_t seed = 0,
                                 double level = 0.95);

// McNemar's exact test of paired binary outcomes: b entries went from an error to none, c from none
// to an error; p = min(1, 2 · P(X <= min(b, c))) with X ~ Binomial(b + c, ½); 1 when b + c = 0.
struct McNemarResult {
  int64_t b = 0, c = 0;
  double p = 1;
};
McNemarResult mcnemar_exact(int64_t b, int64_t c);

}  // namespace loupe::analysis
