#include "core/analysis/pca.h"

#include "core/error.h"

namespace loupe::analysis {

Pca pca(const torch::Tensor& x, int64_t k) {
  if (x.dim() != 2) throw InputError("PCA takes a matrix [points, dimensions], not a tensor of " + std::to_string(x.dim()) + " axes");
  const int64_t n = x.size(0), d = x.size(1);
  if (n < 2) throw InputError("PCA needs at least 2 points");
  if (k < 1 || k > std::min(n, d))
    throw InputError("PCA of " + std::to_string(n) + " points in " + std::to_string(d) + " dimensions has 1 to " +
                     std::to_string(std::min(n, d)) + " components, not " + std::to_string(k));
  const torch::Tensor data = x.to(torch::kCPU, torch::kFloat64);
  if (!torch::isfinite(data).all().item<bool>()) throw InputError("the points hold NaN or infinite values");
  Pca result;
  const torch::Tensor mean = data.mean(0);
  const torch::Tensor centred = data - mean;
  const auto [u, s, vh] = torch::linalg_svd(centred, /*full_matrices=*/false);  // vh [min(n, d), d]
  torch::Tensor components = vh.narrow(0, 0, k);
  // A deterministic sign: the largest-magnitude entry of each component positive.
  const torch::Tensor largest = components.gather(1, components.abs().argmax(1, true));  // [k, 1]
  components = components * torch::where(largest.lt(0), -torch::ones_like(largest), torch::ones_like(largest));
  const torch::Tensor variance = s.square();
  const double total = variance.sum().item<double>();
  result.components = components.to(torch::kFloat32);
  result.embedding = centred.matmul(components.t()).to(torch::kFloat32);
  result.explained_variance_ratio =
      (total > 0 ? variance.narrow(0, 0, k) / total : torch::zeros({k}, torch::kFloat64)).to(torch::kFloat32);
  result.mean = mean.to(torch::kFloat32);
  return result;
}

}  // namespace loupe::analysis
