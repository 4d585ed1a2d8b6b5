#include "core/analysis/pca.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>

#include "core/error.h"

namespace loupe::analysis {

namespace {

constexpr int64_t kOversamples = 10;
constexpr uint64_t kTestMatrixSeed = 0;

// The leading right singular vectors [k, d] of `centred` [n, d], and its leading singular values [k].
std::pair<torch::Tensor, torch::Tensor> exact_components(const torch::Tensor& centred, int64_t k) {
  const auto [u, s, vh] = torch::linalg_svd(centred, /*full_matrices=*/false);  // vh [min(n, d), d]
  return {vh.narrow(0, 0, k), s.narrow(0, 0, k)};
}

std::pair<torch::Tensor, torch::Tensor> covariance_components(const torch::Tensor& centred, int64_t k) {
  const auto [values, vectors] = torch::linalg_eigh(centred.t().matmul(centred));  // ascending, [d], [d, d]
  const torch::Tensor leading = vectors.flip({1}).narrow(1, 0, k).t().contiguous();  // [k, d]
  return {leading, values.flip({0}).narrow(0, 0, k).clamp_min(0).sqrt()};
}

PcaSolver automatic_solver(int64_t n, int64_t d, int64_t k) {
  if (d <= 1000 && n >= 10 * d) return PcaSolver::covariance;
  if (std::max(n, d) <= 500 || double(k) >= 0.8 * double(std::min(n, d))) return PcaSolver::exact;
  return PcaSolver::randomized;
}

std::pair<torch::Tensor, torch::Tensor> randomized_components(const torch::Tensor& centred, int64_t k) {
  const int64_t n = centred.size(0), d = centred.size(1);
  const int64_t columns = std::min(k + kOversamples, std::min(n, d));
  const int64_t iterations = k < std::min(n, d) / 10 ? 7 : 4;
  at::Generator generator = at::detail::createCPUGenerator(kTestMatrixSeed);
  const torch::Tensor test = torch::randn({d, columns}, generator, torch::kFloat64);  // [d, l]
  torch::Tensor basis = std::get<0>(torch::linalg_qr(centred.matmul(test)));        // [n, l]
  for (int64_t i = 0; i < iterations; ++i) {
    const torch::Tensor back = std::get<0>(torch::linalg_qr(centred.t().matmul(basis)));  // [d, l]
    basis = std::get<0>(torch::linalg_qr(centred.matmul(back)));                         // [n, l]
  }
  const auto [u, s, vh] = torch::linalg_svd(basis.t().matmul(centred), /*full_matrices=*/false);  // of [l, d]
  return {vh.narrow(0, 0, k), s.narrow(0, 0, k)};
}

}  // namespace

PcaSolver parse_pca_solver(const std::string& name) {
  if (name == "auto") return PcaSolver::automatic;
  if (name == "exact") return PcaSolver::exact;
  if (name == "covariance") return PcaSolver::covariance;
  if (name == "randomized") return PcaSolver::randomized;
  throw InputError("the PCA solver is auto, exact, covariance or randomized, not '" + name + "'");
}

Pca pca(const torch::Tensor& x, int64_t k, PcaSolver solver) {
  if (x.dim() != 2) throw InputError("PCA takes a matrix [points, dimensions], not a tensor of " + std::to_string(x.dim()) + " axes");
  const int64_t n = x.size(0), d = x.size(1);
  if (n < 2) throw InputError("PCA needs at least 2 points");
  if (k < 1 || k > std::min(n, d))
    throw InputError("PCA of " + std::to_string(n) + " points in " + std::to_string(d) + " dimensions has 1 to " +
                     std::to_string(std::min(n, d)) + " components, not " + std::to_string(k));
  const torch::Tensor data = x.to(torch::kCPU, torch::kFloat64);
  if (!torch::isfinite(data).all().item<bool>()) throw InputError("the points hold NaN or infinite values");
  if (solver == PcaSolver::automatic) solver = automatic_solver(n, d, k);
  Pca result;
  const torch::Tensor mean = data.mean(0);
  const torch::Tensor centred = data - mean;
  auto [components, singular] = solver == PcaSolver::exact        ? exact_components(centred, k)
                                : solver == PcaSolver::covariance ? covariance_components(centred, k)
                                                                  : randomized_components(centred, k);
  // A deterministic sign: the largest-magnitude entry of each component positive.
  const torch::Tensor largest = components.gather(1, components.abs().argmax(1, true));  // [k, 1]
  components = components * torch::where(largest.lt(0), -torch::ones_like(largest), torch::ones_like(largest));
  const double total = centred.square().sum().item<double>();  // the sum of every squared singular value
  result.components = components.to(torch::kFloat32);
  result.embedding = centred.matmul(components.t()).to(torch::kFloat32);
  result.explained_variance_ratio =
      (total > 0 ? singular.square() / total : torch::zeros({k}, torch::kFloat64)).to(torch::kFloat32);
  result.mean = mean.to(torch::kFloat32);
  return result;
}

}  // namespace loupe::analysis
