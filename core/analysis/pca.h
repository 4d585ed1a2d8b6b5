// Principal component analysis of the centred data (`loupe embed --method pca`): an exact SVD, the
// eigenvectors of the covariance for many more rows than columns, or the randomized SVD of Halko,
// Martinsson and Tropp (2011) for large matrices, as scikit-learn's PCA(svd_solver="auto")
// (version 1.5) chooses between them.
#pragma once
#include <torch/torch.h>

#include <string>

namespace loupe::analysis {

struct Pca {
  torch::Tensor embedding;                 // [n, k] coordinates on the components
  torch::Tensor components;                // [k, d] orthonormal rows, each signed so that its largest-magnitude entry is positive
  torch::Tensor explained_variance_ratio;  // [k] share of the total variance
  torch::Tensor mean;                      // [d] the centre
};

// automatic (scikit-learn's rule): covariance when d <= 1000 and n >= 10 · d; else exact when
// max(n, d) <= 500 or k >= 0.8 · min(n, d); else randomized.
// covariance: the eigenvectors of the d × d matrix Xᵀ X of the centred data (exact, in float64).
// randomized: a Gaussian test matrix of k + 10 columns (seeded, so the same input gives the same
// map), 7 power iterations (4 when k ≥ 0.1 · min(n, d)) each re-orthonormalised by QR, then the
// exact SVD of the small projected matrix.
enum class PcaSolver { automatic, exact, covariance, randomized };
PcaSolver parse_pca_solver(const std::string& name);  // auto | exact | covariance | randomized; InputError otherwise

// x [n, d] (any float dtype; computed in float64, returned as float32). Throws InputError for
// k < 1, k > min(n, d), fewer than 2 rows or values that are not finite.
Pca pca(const torch::Tensor& x, int64_t k, PcaSolver solver = PcaSolver::automatic);

}  // namespace loupe::analysis
