// Principal component analysis by an exact SVD of the centred data (`loupe embed --method pca`).
#pragma once
#include <torch/torch.h>

namespace loupe::analysis {

struct Pca {
  torch::Tensor embedding;                 // [n, k] coordinates on the components
  torch::Tensor components;                // [k, d] orthonormal rows, each signed so that its largest-magnitude entry is positive
  torch::Tensor explained_variance_ratio;  // [k] share of the total variance
  torch::Tensor mean;                      // [d] the centre
};

// x [n, d] (any float dtype; computed in float64, returned as float32). Throws InputError for
// k < 1, k > min(n, d), fewer than 2 rows or values that are not finite.
Pca pca(const torch::Tensor& x, int64_t k);

}  // namespace loupe::analysis
