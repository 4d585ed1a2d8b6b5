// Paired statistics (core/analysis/paired_tests.h): Wilcoxon's signed-rank test against hand
// computations and a brute-force enumeration of the null distribution, and the seeded bootstrap.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "core/analysis/paired_tests.h"
#include "core/error.h"

using namespace loupe::analysis;

TEST_CASE("Wilcoxon's exact test: all ten differences positive", "[statistics]") {
  const auto result = wilcoxon_signed_rank({1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  CHECK(result.exact);
  CHECK(result.n == 10);
  CHECK(result.w_plus == 55);
  CHECK(result.p == Approx(2.0 / 1024));  // only the all-positive pattern reaches 55, and its mirror 0
  const auto mirrored = wilcoxon_signed_rank({-1, -2, -3, -4, -5, -6, -7, -8, -9, -10});
  CHECK(mirrored.w_plus == 0);
  CHECK(mirrored.p == Approx(2.0 / 1024));
}

TEST_CASE("Wilcoxon's exact p agrees with an enumeration of every sign pattern", "[statistics]") {
  std::mt19937 generator(5);
  std::normal_distribution<double> normal(0.3, 1.0);
  std::vector<double> d;
  for (int i = 0; i < 12; ++i) d.push_back(normal(generator));
  const auto result = wilcoxon_signed_rank(d);
  REQUIRE(result.exact);
  // Ranks of |d| (no ties), then W+ of every one of the 2^12 sign patterns.
  std::vector<int> rank(d.size());
  for (size_t i = 0; i < d.size(); ++i)
    for (size_t j = 0; j < d.size(); ++j) rank[i] += std::abs(d[j]) <= std::abs(d[i]);
  double w = 0;
  for (size_t i = 0; i < d.size(); ++i) w += d[i] > 0 ? rank[i] : 0;
  CHECK(result.w_plus == w);
  int at_most = 0, at_least = 0;
  for (int pattern = 0; pattern < 4096; ++pattern) {
    double sum = 0;
    for (size_t i = 0; i < d.size(); ++i) sum += (pattern >> i & 1) ? rank[i] : 0;
    at_most += sum <= w;
    at_least += sum >= w;
  }
  CHECK(result.p == Approx(std::min(1.0, 2.0 * std::min(at_most, at_least) / 4096)));
}

TEST_CASE("Wilcoxon's test drops zeros and uses mid-ranks and the tie-corrected normal approximation", "[statistics]") {
  // |d| sorted 1,1,2,2,3,3,3,4 → ranks 1.5,1.5,3.5,3.5,6,6,6,8; positives 1,1,2,3,3,3 → W+ = 24.5.
  const auto result = wilcoxon_signed_rank({1, 0, 1, 2, -2, 3, 3, 0, 3, -4});
  CHECK(result.n == 8);
  CHECK_FALSE(result.exact);
  CHECK(result.w_plus == 24.5);
  const double variance = 8.0 * 9 * 17 / 24 - (6.0 + 6.0 + 24.0) / 48;  // 51 − 0.75
  CHECK(result.p == Approx(std::erfc((24.5 - 18) / std::sqrt(variance) / std::sqrt(2.0))));
  CHECK(wilcoxon_signed_rank({0, 0}).p == 1.0);
  CHECK(wilcoxon_signed_rank({}).n == 0);
}

TEST_CASE("the bootstrap interval of a mean is seeded, and narrow where the data are", "[statistics]") {
  CHECK(bootstrap_mean_interval({2.5, 2.5, 2.5}).low == 2.5);
  CHECK(bootstrap_mean_interval({2.5, 2.5, 2.5}).high == 2.5);
  std::vector<double> coins;
  for (int i = 0; i < 100; ++i) coins.push_back(i % 2);
  const Interval interval = bootstrap_mean_interval(coins, 4000, 11);
  CHECK(interval.low < 0.5);
  CHECK(interval.high > 0.5);
  CHECK(interval.low == Approx(0.5 - 1.96 * 0.05).margin(0.02));  // the normal interval of a proportion
  CHECK(interval.high == Approx(0.5 + 1.96 * 0.05).margin(0.02));
  const Interval again = bootstrap_mean_interval(coins, 4000, 11);
  CHECK(again.low == interval.low);
  CHECK(again.high == interval.high);
  CHECK_THROWS_AS(bootstrap_mean_interval({}), loupe::InputError);
  CHECK_THROWS_AS(bootstrap_mean_interval({1}, 0), loupe::InputError);
}
