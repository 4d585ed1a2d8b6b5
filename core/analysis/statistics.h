// Two-group and paired statistics for the analyses, torch-free: group summaries, Cohen's d, Welch's
// t-test, Benjamini-Hochberg q-values, Pearson's and Spearman's correlations.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

namespace loupe::analysis {

// Count, mean and sample variance of one group, accumulated from sums (values need not be kept).
struct GroupSummary {
  int64_t n = 0;
  double sum = 0, sum_squares = 0;

  void add(double value) {
    ++n;
    sum += value;
    sum_squares += value * value;
  }
  double mean() const { return n ? sum / double(n) : 0.0; }
  double sample_variance() const;  // (Σx² − n·mean²) / (n − 1); 0 for n < 2, never negative
};

// (mean_female − mean_male) / s_pooled with
// s_pooled = sqrt(((n_f − 1) s_f² + (n_m − 1) s_m²) / (n_f + n_m − 2)); 0 when s_pooled is 0.
// Both groups need n >= 2 (InputError otherwise).
double cohens_d(const GroupSummary& female, const GroupSummary& male);

// Welch's two-sided t-test p-value with the Welch-Satterthwaite degrees of freedom. Both variances
// 0: p = 1 when the means are equal, else 0. Both groups need n >= 2.
double welch_p_value(const GroupSummary& a, const GroupSummary& b);

// Two-sided p-value of Student's t distribution: P(|T| >= |t|) with `df` degrees of freedom (> 0).
double student_t_two_sided(double t, double df);
// The regularised incomplete beta function I_x(a, b) for a, b > 0 and x in [0, 1].
double incomplete_beta(double a, double b, double x);

// Benjamini-Hochberg q-values, in the order of `p`: q_(i) = min over j >= i of p_(j) · m / j, at most 1.
std::vector<double> benjamini_hochberg(const std::vector<double>& p);

// Pearson's r of paired values from sums over n pairs; empty when n < 2 or either side is constant.
struct PairSums {
  int64_t n = 0;
  double x = 0, y = 0, xx = 0, yy = 0, xy = 0;
  void add(double a, double b) {
    ++n;
    x += a;
    y += b;
    xx += a * a;
    yy += b * b;
    xy += a * b;
  }
};
std::optional<double> pearson(const PairSums& sums);

// The 1-based ranks of `values`, ties given the mean of their ranks.
std::vector<double> mid_ranks(const std::vector<double>& values);
// Spearman's rank correlation: Pearson's r of the mid-ranks. x and y have the same size (InputError
// otherwise); empty when fewer than 2 pairs or either side is constant.
std::optional<double> spearman(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace loupe::analysis
