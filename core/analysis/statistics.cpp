#include "core/analysis/statistics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"

namespace loupe::analysis {

namespace {

void require_two(const GroupSummary& group) {
  if (group.n < 2) throw InputError("a group needs at least 2 values for a variance, got " + std::to_string(group.n));
}

// The continued fraction of the incomplete beta function (modified Lentz's method).
double beta_fraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300, kEpsilon = 1e-15;
  double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double result = d;
  for (int m = 1; m <= 10000; ++m) {
    const double m2 = 2.0 * m;
    double step = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));  // even step
    d = 1.0 + step * d;
    c = 1.0 + step / c;
    if (std::fabs(d) < kTiny) d = kTiny;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    result *= d * c;
    step = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));  // odd step
    d = 1.0 + step * d;
    c = 1.0 + step / c;
    if (std::fabs(d) < kTiny) d = kTiny;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double change = d * c;
    result *= change;
    if (std::fabs(change - 1.0) < kEpsilon) break;
  }
  return result;
}

}  // namespace

double GroupSummary::sample_variance() const {
  if (n < 2) return 0.0;
  const double m = mean();
  return std::max(0.0, (sum_squares - double(n) * m * m) / double(n - 1));
}

double cohens_d(const GroupSummary& female, const GroupSummary& male) {
  require_two(female);
  require_two(male);
  const double pooled = std::sqrt((double(female.n - 1) * female.sample_variance() + double(male.n - 1) * male.sample_variance()) /
                                  double(female.n + male.n - 2));
  return pooled > 0 ? (female.mean() - male.mean()) / pooled : 0.0;
}

double incomplete_beta(double a, double b, double x) {
  if (!(a > 0 && b > 0)) throw InputError("the incomplete beta function needs a, b > 0");
  if (!(x >= 0 && x <= 1)) throw InputError("the incomplete beta function needs x in [0, 1]");
  if (x == 0 || x == 1) return x;
  const double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x));
  // The fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) beyond.
  if (x < (a + 1.0) / (a + b + 2.0)) return front * beta_fraction(a, b, x) / a;
  return 1.0 - front * beta_fraction(b, a, 1.0 - x) / b;
}

double student_t_two_sided(double t, double df) {
  if (!(df > 0)) throw InputError("Student's t distribution needs df > 0");
  if (std::isinf(t)) return 0.0;
  return incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
}

double welch_p_value(const GroupSummary& a, const GroupSummary& b) {
  require_two(a);
  require_two(b);
  const double va = a.sample_variance() / double(a.n), vb = b.sample_variance() / double(b.n);
  const double difference = a.mean() - b.mean();
  if (va + vb == 0) return difference == 0 ? 1.0 : 0.0;
  const double t = difference / std::sqrt(va + vb);
  const double df = (va + vb) * (va + vb) / (va * va / double(a.n - 1) + vb * vb / double(b.n - 1));
  return student_t_two_sided(t, df);
}

std::vector<double> benjamini_hochberg(const std::vector<double>& p) {
  const size_t m = p.size();
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](size_t i, size_t j) { return p[i] < p[j]; });
  std::vector<double> q(m);
  double running = 1.0;
  for (size_t rank = m; rank-- > 0;) {
    running = std::min(running, p[order[rank]] * double(m) / double(rank + 1));
    q[order[rank]] = running;
  }
  return q;
}

std::optional<double> pearson(const PairSums& s) {
  if (s.n < 2) return std::nullopt;
  const double n = double(s.n);
  const double sxx = s.xx - s.x * s.x / n, syy = s.yy - s.y * s.y / n, sxy = s.xy - s.x * s.y / n;
  if (!(sxx > 1e-12 * s.xx && syy > 1e-12 * s.yy)) return std::nullopt;  // a constant side (up to rounding)
  return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

std::vector<double> mid_ranks(const std::vector<double>& values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (size_t start = 0; start < order.size();) {
    size_t end = start;
    while (end < order.size() && values[order[end]] == values[order[start]]) ++end;
    for (size_t i = start; i < end; ++i) ranks[order[i]] = double(start + end + 1) / 2;
    start = end;
  }
  return ranks;
}

std::optional<double> spearman(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size())
    throw InputError("a rank correlation needs pairs: " + std::to_string(x.size()) + " vs " + std::to_string(y.size()) + " values");
  const std::vector<double> rx = mid_ranks(x), ry = mid_ranks(y);
  PairSums sums;
  for (size_t i = 0; i < rx.size(); ++i) sums.add(rx[i], ry[i]);
  return pearson(sums);
}

}  // namespace loupe::analysis
