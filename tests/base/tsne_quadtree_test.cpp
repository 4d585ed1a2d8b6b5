// The t-SNE map's Barnes-Hut quadtree (core/analysis/tsne_quadtree.h) against the direct sum over
// every pair; torch-free, so that it runs under the sanitizers too (tests/sanitize).
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "core/analysis/tsne_quadtree.h"

using loupe::analysis::QuadTree;

namespace {

struct Repulsion {
  std::vector<double> force, z;  // flat [n · 2], [n]
};

// Σ_j q_ij² (y_i − y_j) and Σ_j q_ij over every j ≠ i.
Repulsion direct(const std::vector<double>& y) {
  const size_t n = y.size() / 2;
  Repulsion out{std::vector<double>(2 * n, 0), std::vector<double>(n, 0)};
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j) {
      if (i == j) continue;
      const double d0 = y[2 * i] - y[2 * j], d1 = y[2 * i + 1] - y[2 * j + 1];
      const double q = 1 / (1 + d0 * d0 + d1 * d1);
      out.z[i] += q;
      out.force[2 * i] += q * q * d0;
      out.force[2 * i + 1] += q * q * d1;
    }
  return out;
}

// Every group's sums, as the t-SNE gradient asks for them; NaN marks a point no group reached.
Repulsion tree_sums(const std::vector<double>& y, double theta) {
  const size_t n = y.size() / 2;
  Repulsion out{std::vector<double>(2 * n, NAN), std::vector<double>(n, NAN)};
  QuadTree tree;
  tree.rebuild(y);
  QuadTree::Interactions list;
  for (int64_t g = 0; g < tree.groups(); ++g) tree.group_repulsion(g, theta, list, out.force.data(), out.z.data());
  return out;
}

// ‖a − b‖ / ‖b‖ over the forces, and the largest relative error of a point's z.
std::pair<double, double> errors(const Repulsion& a, const Repulsion& b) {
  double difference = 0, norm = 0, z_error = 0;
  for (size_t c = 0; c < a.force.size(); ++c) {
    difference += (a.force[c] - b.force[c]) * (a.force[c] - b.force[c]);
    norm += b.force[c] * b.force[c];
  }
  for (size_t i = 0; i < a.z.size(); ++i) z_error = std::max(z_error, std::abs(a.z[i] - b.z[i]) / b.z[i]);
  return {std::sqrt(difference / norm), z_error};
}

std::vector<double> normal_map(size_t n, double spread, unsigned seed) {
  std::mt19937 random(seed);
  std::normal_distribution<double> normal(0, spread);
  std::vector<double> y(2 * n);
  for (double& v : y) v = normal(random);
  return y;
}

}  // namespace

TEST_CASE("a map small enough for one group gets the direct sums", "[analysis][tsne]") {
  for (size_t n : {2, 3, 17, 100}) {
    const std::vector<double> y = normal_map(n, 3, unsigned(n));
    const auto [force_error, z_error] = errors(tree_sums(y, 0.5), direct(y));
    INFO(n << " points");
    CHECK(force_error < 1e-5);  // float sums
    CHECK(z_error < 1e-5);
  }
}

TEST_CASE("the quadtree summarises far cells within theta's error for every point", "[analysis][tsne]") {
  const std::vector<double> y = normal_map(3000, 20, 7);
  const Repulsion exact = direct(y);
  const auto [force_error, z_error] = errors(tree_sums(y, 0.5), exact);
  CHECK(force_error < 0.01);
  CHECK(z_error < 0.05);  // the worst point: a lone one far out, whose whole map is summarised
  CHECK(force_error > 1e-5);  // some cells were summarised
  CHECK(errors(tree_sums(y, 1.2), exact).first > force_error);
}

TEST_CASE("coincident points, more than a group holds, each count once", "[analysis][tsne]") {
  std::vector<double> y = normal_map(1000, 5, 3);
  for (size_t i = 0; i < 400; ++i) {  // 400 on one spot: the tree stops at its depth limit
    y[2 * i] = 1.25;
    y[2 * i + 1] = -0.5;
  }
  const Repulsion tree = tree_sums(y, 0.5), exact = direct(y);
  const auto [force_error, z_error] = errors(tree, exact);
  CHECK(force_error < 0.01);
  CHECK(z_error < 0.02);
  CHECK(tree.z[0] == Approx(exact.z[0]).epsilon(1e-3));  // 399 others at distance 0, and the rest
  const std::vector<double> all_one(2 * 300, 4.0);  // every point on one spot
  const Repulsion same = tree_sums(all_one, 0.5);
  CHECK(same.z[0] == Approx(299));
  CHECK(same.force[0] == 0.0);
}
