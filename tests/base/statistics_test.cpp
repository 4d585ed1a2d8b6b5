// The two-group statistics of core/analysis against values computed by hand, or independently in
// Python: Welch's p-values by numerically integrating Student's t density (200,000-point midpoint
// rule on x = |t| + u / (1 − u)), as scipy.stats.ttest_ind(a, b, equal_var=False) defines them.
#include "core/analysis/statistics.h"

#include <catch2/catch.hpp>

#include "core/error.h"

using namespace loupe::analysis;
using Catch::Detail::Approx;

namespace {
GroupSummary summary_of(std::initializer_list<double> values) {
  GroupSummary group;
  for (double value : values) group.add(value);
  return group;
}
}  // namespace

TEST_CASE("group summaries and Cohen's d with the pooled sample deviation", "[analysis][statistics]") {
  const GroupSummary female = summary_of({2, 4, 6});  // mean 4, variance 4
  const GroupSummary male = summary_of({1, 2, 3, 4});  // mean 2.5, variance 5/3
  CHECK(female.mean() == Approx(4));
  CHECK(female.sample_variance() == Approx(4));
  CHECK(male.sample_variance() == Approx(5.0 / 3.0));
  // s_pooled = sqrt((2·4 + 3·5/3) / 5) = sqrt(13/5)
  CHECK(cohens_d(female, male) == Approx(1.5 / std::sqrt(13.0 / 5.0)));
  CHECK(cohens_d(summary_of({1, 1}), summary_of({1, 1, 1})) == 0.0);  // s_pooled 0
  CHECK(cohens_d(summary_of({3, 3}), summary_of({1, 1})) == 0.0);     // 0 even when the means differ
  CHECK_THROWS_AS(cohens_d(summary_of({1}), male), loupe::InputError);
}

TEST_CASE("Welch's t-test p-values match SciPy", "[analysis][statistics]") {
  // t = 1.1338934, df = 3.2347188, p = 0.3338237
  CHECK(welch_p_value(summary_of({2, 4, 6}), summary_of({1, 2, 3, 4})) == Approx(0.3338237).epsilon(1e-5));
  // t = 6.2277617, df = 5.5764117, p = 0.0010456828
  CHECK(welch_p_value(summary_of({10.1, 9.8, 10.3, 10.0, 9.9}), summary_of({9.0, 9.4, 9.1, 8.8})) ==
        Approx(0.0010456828).epsilon(1e-5));
  CHECK(welch_p_value(summary_of({1, 1}), summary_of({1, 1})) == 1.0);
  CHECK(welch_p_value(summary_of({2, 2}), summary_of({1, 1})) == 0.0);
  // The t distribution: df 1 is Cauchy, P(|T| >= 1) = 1/2; df 2: P(|T| >= t) = 1 − t / sqrt(2 + t²).
  CHECK(student_t_two_sided(1.0, 1.0) == Approx(0.5));
  CHECK(student_t_two_sided(3.0, 2.0) == Approx(1.0 - 3.0 / std::sqrt(11.0)));
  CHECK(incomplete_beta(2.0, 3.0, 0.4) == Approx(0.5248));  // Σ_{j=2..4} C(4,j) 0.4^j 0.6^(4−j)
  CHECK(incomplete_beta(0.5, 0.5, 0.5) == Approx(0.5));
}

TEST_CASE("Benjamini-Hochberg q-values keep the order of the p-values", "[analysis][statistics]") {
  // sorted 0.01, 0.03, 0.04, 0.2 → 0.04, min(0.06, 0.0533), 0.0533, 0.2
  const std::vector<double> q = benjamini_hochberg({0.01, 0.04, 0.03, 0.2});
  REQUIRE(q.size() == 4);
  CHECK(q[0] == Approx(0.04));
  CHECK(q[1] == Approx(0.0533333));
  CHECK(q[2] == Approx(0.0533333));
  CHECK(q[3] == Approx(0.2));
  CHECK(benjamini_hochberg({0.9, 0.95})[0] == Approx(0.95));  // monotone: min over the larger ranks
  CHECK(benjamini_hochberg({}).empty());
}

TEST_CASE("Pearson's r from pair sums, empty for a constant side", "[analysis][statistics]") {
  PairSums sums;
  for (auto [x, y] : {std::pair{1.0, 2.0}, {2.0, 4.1}, {3.0, 5.9}, {4.0, 8.2}}) sums.add(x, y);
  REQUIRE(pearson(sums).has_value());
  CHECK(*pearson(sums) == Approx(0.9989923).epsilon(1e-6));  // Σ(x−x̄)(y−ȳ) / sqrt(Σ(x−x̄)² Σ(y−ȳ)²)
  PairSums constant;
  for (double x : {1.0, 2.0, 3.0}) constant.add(x, 0.3);
  CHECK_FALSE(pearson(constant).has_value());
  PairSums one;
  one.add(1, 2);
  CHECK_FALSE(pearson(one).has_value());
}

TEST_CASE("Spearman's rank correlation from mid-ranks, as scipy computes it", "[analysis][statistics]") {
  const std::vector<double> x = {0.3, 1.2, -0.7, 1.2, 5.0, 2.2}, y = {1, 3, 0, 2, 9, 2};
  CHECK(mid_ranks(x) == std::vector<double>{2, 3.5, 1, 3.5, 6, 5});  // scipy.stats.rankdata
  REQUIRE(spearman(x, y).has_value());
  CHECK(*spearman(x, y) == Approx(0.8676470588235294).epsilon(1e-12));  // scipy.stats.spearmanr
  CHECK(*spearman(x, {-1, -3, 0, -2, -9, -2}) == Approx(-0.8676470588235294).epsilon(1e-12));
  CHECK_FALSE(spearman(x, {4, 4, 4, 4, 4, 4}).has_value());
  CHECK_THROWS_AS(spearman(x, {1, 2}), loupe::InputError);
}
