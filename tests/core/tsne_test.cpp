// t-SNE (core/analysis/tsne.h): the gradient against its definition, maps that keep clusters apart,
// trustworthiness, and clear errors for input it cannot map.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/analysis/tsne.h"
#include "core/error.h"
#include "core/jobs/standalone_job.h"

using namespace loupe;

namespace {

// `clusters` Gaussian blobs of `per` points in `d` dimensions, centres 10 apart: [clusters·per, d].
torch::Tensor blobs(int64_t clusters, int64_t per, int64_t d, uint64_t seed) {
  torch::manual_seed(seed);
  std::vector<torch::Tensor> parts;
  for (int64_t c = 0; c < clusters; ++c) {
    torch::Tensor centre = torch::zeros({d});
    centre[c % d] = 10.0 * double(c + 1);
    parts.push_back(torch::randn({per, d}) + centre);
  }
  return torch::cat(parts);
}

// The KL divergence at y with exact normalisation.
double kl_at(const analysis::Affinities& affinities, const torch::Tensor& y) {
  double kl = 0;
  analysis::tsne_gradient(affinities, y, analysis::Repulsion::exact, 0.0, 1.0, &kl);
  return kl;
}

}  // namespace

TEST_CASE("t-SNE affinities are symmetric and sum to one", "[analysis][tsne]") {
  const analysis::Affinities p = analysis::tsne_affinities(blobs(2, 20, 5, 3), 5.0);
  double total = 0;
  for (size_t i = 0; i + 1 < p.offsets.size(); ++i)
    for (int64_t e = p.offsets[i]; e < p.offsets[i + 1]; ++e) {
      total += p.p[size_t(e)];
      const int64_t j = p.neighbours[size_t(e)];
      CHECK(j != int64_t(i));
      double back = -1;  // p_ji
      for (int64_t f = p.offsets[size_t(j)]; f < p.offsets[size_t(j) + 1]; ++f)
        if (p.neighbours[size_t(f)] == int64_t(i)) back = p.p[size_t(f)];
      CHECK(back == Approx(p.p[size_t(e)]));
    }
  CHECK(total == Approx(1.0));
}

TEST_CASE("the exact t-SNE gradient is the derivative of the KL divergence; Barnes-Hut and FFT interpolation approximate it", "[analysis][tsne]") {
  const analysis::Affinities p = analysis::tsne_affinities(blobs(3, 15, 6, 5), 8.0);
  torch::manual_seed(11);
  const torch::Tensor y = torch::randn({45, 2}, torch::kFloat64);
  const torch::Tensor exact = analysis::tsne_gradient(p, y, analysis::Repulsion::exact, 0.0, 1.0);
  const double h = 1e-6;
  for (int64_t i : {0, 17, 44})
    for (int64_t a : {0, 1}) {
      torch::Tensor up = y.clone(), down = y.clone();
      up[i][a] += h;
      down[i][a] -= h;
      const double numeric = (kl_at(p, up) - kl_at(p, down)) / (2 * h);
      CHECK(exact[i][a].item<double>() == Approx(numeric).epsilon(1e-4).margin(1e-9));
    }
  // 45 points make one Barnes-Hut group, summed pair by pair: the exact gradient up to float rounding.
  const torch::Tensor one_group = analysis::tsne_gradient(p, y, analysis::Repulsion::barnes_hut, 0.5, 1.0);
  CHECK(((one_group - exact).norm() / exact.norm()).item<double>() < 1e-5);
  const torch::Tensor interpolated = analysis::tsne_gradient(p, y, analysis::Repulsion::fft, 0.0, 1.0);
  CHECK(((interpolated - exact).norm() / exact.norm()).item<double>() < 1e-3);
}

TEST_CASE("Barnes-Hut summarises far cells for groups of points and counts coincident points", "[analysis][tsne]") {
  // 2,000 points over 40 units make many groups and far cells; 300 of them on one spot make a leaf
  // of coincident points (the tree stops at its depth limit), which must count each of them.
  const analysis::Affinities p = analysis::tsne_affinities(blobs(4, 500, 6, 13), 30.0);
  torch::manual_seed(5);
  torch::Tensor y = torch::randn({2000, 2}, torch::kFloat64) * 10;
  y.narrow(0, 1000, 300).copy_(torch::tensor({3.5, -2.25}, torch::kFloat64).expand({300, 2}));
  // With the affinities scaled by 0 the gradient is the repulsion alone.
  const torch::Tensor exact = analysis::tsne_gradient(p, y, analysis::Repulsion::exact, 0.0, 0.0);
  const torch::Tensor tree = analysis::tsne_gradient(p, y, analysis::Repulsion::barnes_hut, 0.5, 0.0);
  const double relative = ((tree - exact).norm() / exact.norm()).item<double>();
  CHECK(relative < 0.01);
  CHECK(relative > 1e-6);  // the tree did summarise some cells
  double kl_exact = 0, kl_tree = 0;  // the normaliser Z enters the divergence as log Z
  analysis::tsne_gradient(p, y, analysis::Repulsion::exact, 0.0, 1.0, &kl_exact);
  analysis::tsne_gradient(p, y, analysis::Repulsion::barnes_hut, 0.5, 1.0, &kl_tree);
  CHECK(kl_tree == Approx(kl_exact).epsilon(1e-3));
  // A wider angle summarises more and strays further.
  const torch::Tensor coarse = analysis::tsne_gradient(p, y, analysis::Repulsion::barnes_hut, 1.0, 0.0);
  CHECK(((coarse - exact).norm() / exact.norm()).item<double>() > relative);
}

TEST_CASE("FFT interpolation gives the repulsion and normaliser of a wide map", "[analysis][tsne]") {
  // 400 points spread over 60 units: more boxes than the minimum of 50, each one unit wide, as
  // FIt-SNE's. The error grows with the boxes' width beside the kernel's (one unit): about 5% here
  // for points this sparse, 1e-5 on a map of 5 units (the case above).
  const analysis::Affinities p = analysis::tsne_affinities(blobs(4, 100, 6, 9), 10.0);
  torch::manual_seed(3);
  const torch::Tensor y = torch::rand({400, 2}, torch::kFloat64) * 60 - 30;
  double kl_exact = 0, kl_fft = 0;
  analysis::tsne_gradient(p, y, analysis::Repulsion::exact, 0.0, 1.0, &kl_exact);
  analysis::tsne_gradient(p, y, analysis::Repulsion::fft, 0.0, 1.0, &kl_fft);
  // With the affinities scaled by 0 the gradient is the repulsion alone, −4 Σ_j q_ij² (y_i − y_j) / Z.
  const torch::Tensor exact = analysis::tsne_gradient(p, y, analysis::Repulsion::exact, 0.0, 0.0);
  const torch::Tensor fft = analysis::tsne_gradient(p, y, analysis::Repulsion::fft, 0.0, 0.0);
  CHECK(((fft - exact).norm() / exact.norm()).item<double>() < 0.08);
  CHECK(kl_fft == Approx(kl_exact).epsilon(1e-2));  // the normaliser Z enters the divergence as log Z
}

TEST_CASE("a t-SNE map keeps separated clusters apart and is trustworthy", "[analysis][tsne]") {
  const torch::Tensor x = blobs(3, 60, 10, 7);
  analysis::TsneOptions options;
  options.perplexity = 15;
  options.iterations = 500;
  jobs::StandaloneJob job;
  const analysis::Tsne map = analysis::tsne(x, options, job.context());
  REQUIRE(map.embedding.sizes() == torch::IntArrayRef({180, 2}));
  CHECK(job.done() == 500);
  CHECK(map.learning_rate == 50.0);  // max(180 / 12 / 4, 50)
  CHECK(std::isfinite(map.kl_divergence));
  CHECK(analysis::trustworthiness(x, map.embedding, 5) > 0.9);
  // Each point's nearest neighbour on the map is in its own cluster.
  const torch::Tensor d = torch::cdist(map.embedding, map.embedding) + torch::eye(180) * 1e9;
  const torch::Tensor nearest = d.argmin(1);
  const torch::Tensor same = nearest.div(60, "floor").eq(torch::arange(180).div(60, "floor"));
  CHECK(same.to(torch::kFloat32).mean().item<float>() > 0.98f);

  // The affinities do not depend on BLAS rounding (they failed to repeat between two calls in one
  // process when read from the matrix product); the map's descent amplifies any rounding of the
  // PCA init, so a second map is checked for what it shows, not for its bits.
  const analysis::Affinities p = analysis::tsne_affinities(x, 15), again_p = analysis::tsne_affinities(x, 15);
  CHECK(p.neighbours == again_p.neighbours);
  CHECK(p.p == again_p.p);
  jobs::StandaloneJob again;
  const torch::Tensor second = analysis::tsne(x, options, again.context()).embedding;
  CHECK(analysis::trustworthiness(x, second, 5) > 0.9);
}

TEST_CASE("trustworthiness is 1 for an isometric map and lower for a shuffled one", "[analysis][tsne]") {
  torch::manual_seed(2);
  const torch::Tensor x = torch::randn({60, 2});
  CHECK(analysis::trustworthiness(x, x * 3.0, 5) == Approx(1.0));
  CHECK(analysis::trustworthiness(x, x.index_select(0, torch::randperm(60)), 5) < 0.8);
  CHECK_THROWS_AS(analysis::trustworthiness(x, x, 30), InputError);
}

TEST_CASE("t-SNE refuses input it cannot map, naming why", "[analysis][tsne]") {
  jobs::StandaloneJob job;
  analysis::TsneOptions options;
  const auto message = [&](const torch::Tensor& x, const analysis::TsneOptions& o) {
    try {
      analysis::tsne(x, o, job.context());
    } catch (const InputError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(message(torch::randn({20, 3}), options), Catch::Contains("perplexity"));  // 30 >= 19
  CHECK_THAT(message(torch::randn({50, 8}) * 1e22, options), Catch::Contains("too large"));  // squares past float
  options.perplexity = 5;
  torch::Tensor bad = torch::randn({20, 3});
  bad[4][1] = std::nan("");
  CHECK_THAT(message(bad, options), Catch::Contains("NaN"));
  CHECK_THAT(message(torch::randn({3, 3}), options), Catch::Contains("at least 4 points"));
  CHECK_THROWS_WITH(analysis::parse_repulsion("quadtree"), Catch::Contains("quadtree"));
  options.repulsion = analysis::Repulsion::barnes_hut;
  options.theta = 0;
  CHECK_THAT(message(torch::randn({20, 3}), options), Catch::Contains("theta"));
  options.repulsion = analysis::Repulsion::fft;
  options.init = "spectral";
  CHECK_THAT(message(torch::randn({20, 3}), options), Catch::Contains("spectral"));
}
