// t-SNE maps (`loupe embed --method tsne`), computed as scikit-learn's Barnes-Hut TSNE computes
// them (van der Maaten 2014), so that a map made here and one made in a notebook agree (the
// repulsion by Barnes-Hut; FFT-accelerated interpolation, FIt-SNE, core/analysis/tsne_interpolation.h,
// or the exact sum on request):
//   affinities  the 3·perplexity nearest neighbours of each point (squared Euclidean distances),
//               a binary search of each row's Gaussian precision to the perplexity (entropy in
//               nats), then P = (P + Pᵀ) / sum
//   init        PCA, scaled so that the first coordinate has standard deviation 1e-4 (or seeded
//               random normal with standard deviation 1e-4)
//   gradient    4 (Σ_j p_ij q_ij Z (y_i - y_j) - Σ_j q_ij² Z (y_i - y_j)) / Z: the attraction over
//               the neighbour graph; the repulsion over a quadtree whose cells count as one point
//               when width / distance < theta, walked once per group of nearby points
//               (barnes-hut, core/analysis/tsne_quadtree.h), interpolated on a grid (fft), or over
//               every pair (exact)
//   descent     early exaggeration (P × 12) with momentum 0.5 for 250 iterations, then momentum
//               0.8; per-coordinate gains (+0.2 / ×0.8, at least 0.01); learning rate "auto",
//               max(n / exaggeration / 4, 50)
// Each point's forces are computed on their own and summed in point order, so the map does not
// depend on the thread count.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <string>

#include "core/jobs/job.h"

namespace loupe::analysis {

enum class Repulsion { fft, barnes_hut, exact };
// "fft", "barnes-hut" or "exact"; throws InputError otherwise.
Repulsion parse_repulsion(const std::string& name);

struct TsneOptions {
  double perplexity = 30;
  int64_t iterations = 1000;             // in all, the exaggeration phase included
  int64_t exaggeration_iterations = 250;
  double early_exaggeration = 12;
  double learning_rate = 0;              // 0: max(n / early_exaggeration / 4, 50)
  Repulsion repulsion = Repulsion::barnes_hut;
  double theta = 0.5;                    // the Barnes-Hut angle
  std::string init = "pca";              // pca | random
  uint64_t seed = 1;                     // for init random
};

struct Tsne {
  torch::Tensor embedding;  // [n, 2] float32
  double kl_divergence = 0; // of the final map (with the Barnes-Hut normaliser)
  int64_t iterations = 0;   // run (fewer when the gradient vanished)
  double learning_rate = 0;
};

// x [n, d] (any float dtype). Throws InputError for fewer than 4 points, perplexity not in
// (0, n - 1), values that are not finite, too few iterations or an unknown init. The job
// counts iterations and may cancel between them (loupe::Cancelled).
// Throws InputError too for theta <= 0 with Barnes-Hut.
Tsne tsne(const torch::Tensor& x, const TsneOptions& options, jobs::JobContext& job);

// The joint probabilities as sparse rows: for point i, neighbours[offsets[i] .. offsets[i+1]) with
// probabilities p; symmetric, summing to 1.
struct Affinities {
  std::vector<int64_t> offsets, neighbours;
  std::vector<double> p;
};
Affinities tsne_affinities(const torch::Tensor& x, double perplexity);

// The KL gradient [n, 2] (float64) at y [n, 2] for affinities P scaled by `exaggeration`, with the
// repulsion computed as `repulsion` says (`theta` for Barnes-Hut); `kl` receives the divergence
// when not null. Exposed for tests.
torch::Tensor tsne_gradient(const Affinities& affinities, const torch::Tensor& y, Repulsion repulsion, double theta,
                            double exaggeration, double* kl = nullptr);

// scikit-learn's trustworthiness of an embedding: 1 - 2/(n k (2n - 3k - 1)) Σ_i Σ_{j in the k
// nearest neighbours of i in the embedding} max(0, r(i, j) - k), r the rank of j among i's
// neighbours in the input (Euclidean). Throws InputError unless 1 <= k < n / 2.
double trustworthiness(const torch::Tensor& x, const torch::Tensor& embedding, int64_t k);

}  // namespace loupe::analysis
