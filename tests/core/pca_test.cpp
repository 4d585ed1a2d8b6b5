// PCA maps (core/analysis/pca.h, `loupe embed`): components against the covariance's eigenvectors,
// the explained variance against its eigenvalues, the sign convention, and the command's files.
#include <catch2/catch.hpp>

#include <limits>

#include "cli_run.h"
#include "core/analysis/pca.h"
#include "core/error.h"
#include "core/tensor/convert.h"

using namespace loupe;

namespace {

// 400 points in 6 dimensions, spread mostly along two known directions, away from the origin.
torch::Tensor planted_points() {
  torch::manual_seed(12);
  const torch::Tensor basis = std::get<0>(torch::linalg_qr(torch::randn({6, 2}, torch::kFloat64)));  // [6, 2]
  const torch::Tensor spread = torch::randn({400, 2}, torch::kFloat64) * torch::tensor({3.0, 1.0}, torch::kFloat64);
  return spread.matmul(basis.t()) + 0.05 * torch::randn({400, 6}, torch::kFloat64) + 7.0;
}

}  // namespace

TEST_CASE("PCA finds the covariance's leading eigenvectors and their share of the variance", "[analysis][pca]") {
  const torch::Tensor x = planted_points();
  const analysis::Pca map = analysis::pca(x, 2);
  REQUIRE(map.embedding.sizes() == torch::IntArrayRef({400, 2}));
  REQUIRE(map.components.sizes() == torch::IntArrayRef({2, 6}));

  const torch::Tensor centred = x - x.mean(0);
  const torch::Tensor covariance = centred.t().matmul(centred) / 399;
  const auto [values, vectors] = torch::linalg_eigh(covariance);  // ascending
  const torch::Tensor components = map.components.to(torch::kFloat64);
  for (int64_t c = 0; c < 2; ++c) {
    const torch::Tensor expected = vectors.select(1, 5 - c);
    CHECK(std::abs(components[c].dot(expected).item<double>()) == Approx(1.0).margin(1e-6));
    CHECK(map.explained_variance_ratio[c].item<double>() == Approx((values[5 - c] / values.sum()).item<double>()).epsilon(1e-5));
    const int64_t largest = components[c].abs().argmax().item<int64_t>();
    CHECK(components[c][largest].item<double>() > 0);  // the sign convention
  }
  CHECK(components.matmul(components.t()).sub(torch::eye(2, torch::kFloat64)).abs().max().item<double>() < 1e-6);
  CHECK(torch::allclose(map.embedding.to(torch::kFloat64), centred.matmul(components.t()), 1e-4, 1e-4));
  CHECK(torch::allclose(map.mean.to(torch::kFloat64), x.mean(0), 1e-5, 1e-5));

  // The automatic solver took the covariance's eigenvectors (400 >= 10 · 6); the SVD agrees.
  const analysis::Pca svd = analysis::pca(x, 2, analysis::PcaSolver::exact);
  for (int64_t c = 0; c < 2; ++c)
    CHECK(svd.components[c].dot(map.components[c]).item<double>() == Approx(1.0).margin(1e-6));
  CHECK(torch::allclose(svd.explained_variance_ratio, map.explained_variance_ratio, 1e-5, 1e-7));

  CHECK_THROWS_AS(analysis::pca(x, 7), InputError);
  CHECK_THROWS_AS(analysis::pca(x.narrow(0, 0, 1), 1), InputError);
  torch::Tensor broken = x.clone();
  broken[3][2] = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(analysis::pca(broken, 2), Catch::Contains("NaN"));
}

TEST_CASE("randomized PCA finds the exact components of a matrix with a decaying spectrum", "[analysis][pca]") {
  // 700 × 600: larger than 500 and fewer than 10 rows a column, so the automatic solver is randomized.
  torch::manual_seed(5);
  const torch::Tensor left = std::get<0>(torch::linalg_qr(torch::randn({700, 40}, torch::kFloat64)));
  const torch::Tensor right = std::get<0>(torch::linalg_qr(torch::randn({600, 40}, torch::kFloat64)));
  const torch::Tensor spectrum = torch::pow(0.8, torch::arange(40, torch::kFloat64)) * 100;
  const torch::Tensor x = (left * spectrum).matmul(right.t()) + 0.01 * torch::randn({700, 600}, torch::kFloat64);
  const analysis::Pca exact = analysis::pca(x, 5, analysis::PcaSolver::exact);
  const analysis::Pca randomized = analysis::pca(x, 5, analysis::PcaSolver::randomized);
  const analysis::Pca automatic = analysis::pca(x, 5);
  for (int64_t c = 0; c < 5; ++c) {
    INFO("component " << c);
    CHECK(exact.components[c].dot(randomized.components[c]).item<double>() == Approx(1.0).margin(1e-5));  // same sign too
    CHECK(randomized.explained_variance_ratio[c].item<double>() ==
          Approx(exact.explained_variance_ratio[c].item<double>()).epsilon(1e-5));
  }
  CHECK(torch::equal(automatic.components, randomized.components));  // same input, shapes and threads
  CHECK_THROWS_WITH(analysis::parse_pca_solver("arpack"), Catch::Contains("arpack"));
}

TEST_CASE("loupe embed writes a PCA or t-SNE map and refuses what it cannot map", "[cli][pca]") {
  const std::string input = test::temp_path("points.safetensors"), out = test::temp_path("map.safetensors");
  tensor::save(input, {{"x", planted_points().to(torch::kFloat32)}});
  const auto run = test::run_loupe("embed --input '" + input + ":x' --out '" + out + "'");
  INFO(run.err);
  REQUIRE(run.status == 0);
  CHECK(tensor::load(out, "embedding").sizes() == torch::IntArrayRef({400, 2}));
  CHECK(tensor::load(out, "components").sizes() == torch::IntArrayRef({2, 6}));
  CHECK(tensor::load(out, "explained_variance_ratio")[0].item<float>() > 0.8f);
  for (const auto& [options, part] : std::vector<std::pair<std::string, std::string>>{
           {"--method umap", "pca or tsne"}, {"--components 9", "not 9"}, {"--components 0", "not 0"},
           {"--method tsne --perplexity 400", "perplexity"}, {"--method tsne --init spectral", "spectral"}}) {
    const auto bad = test::run_loupe("embed --input '" + input + ":x' --out '" + test::temp_path("bad.safetensors") + "' " + options);
    INFO(options << "\n" << bad.err);
    CHECK(bad.status == 1);
    CHECK_THAT(bad.err, Catch::Contains(part));
  }
}

TEST_CASE("loupe embed --method tsne writes the map with its settings", "[cli][tsne]") {
  const std::string input = test::temp_path("tsne-points.safetensors"), out = test::temp_path("tsne-map.safetensors");
  tensor::save(input, {{"x", planted_points().narrow(0, 0, 120).to(torch::kFloat32)}});
  const auto run = test::run_loupe("embed --input '" + input + ":x' --method tsne --perplexity 10 --iterations 300 --out '" +
                                   out + "'");
  INFO(run.err);
  REQUIRE(run.status == 0);
  CHECK(tensor::load(out, "embedding").sizes() == torch::IntArrayRef({120, 2}));
  CHECK(torch::isfinite(tensor::load(out, "embedding")).all().item<bool>());
  CHECK_THAT(run.out, Catch::Contains("t-SNE map (perplexity 10, 300 iterations"));
}
