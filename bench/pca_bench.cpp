// PCA speed: `analysis::pca` (scikit-learn's automatic solver choice: randomized SVD for these
// sizes) against a plain LibTorch SVD of the same centred matrix, measured in the same run, with
// how far the two leading components and explained-variance shares agree.
//   pca_bench [--components 2] [--only 100000x256|20000x2560]
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include "core/analysis/pca.h"

using namespace loupe;

namespace {

double seconds_since(std::chrono::steady_clock::time_point started) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

// n points in d dimensions with a decaying spectrum (as activations have), float32.
torch::Tensor points(int64_t n, int64_t d) {
  torch::manual_seed(7);
  const torch::Tensor scales = torch::pow(0.97, torch::arange(d, torch::kFloat32)) + 0.05;  // [d]
  return torch::randn({n, d}) * scales + torch::randn({d});
}

void compare(int64_t n, int64_t d, int64_t k) {
  const torch::Tensor x = points(n, d);
  auto started = std::chrono::steady_clock::now();
  const analysis::Pca ours = analysis::pca(x, k);
  const double our_seconds = seconds_since(started);

  started = std::chrono::steady_clock::now();
  const torch::Tensor centred = x - x.mean(0);
  const auto [u, s, vh] = torch::linalg_svd(centred, /*full_matrices=*/false);
  const double their_seconds = seconds_since(started);

  const torch::Tensor theirs = vh.narrow(0, 0, k);  // [k, d]
  const torch::Tensor ratio = s.square().narrow(0, 0, k) / s.square().sum();
  const double alignment = ours.components.mul(theirs).sum(1).abs().min().item<double>();  // |cos| of the worst component
  const double share = (ours.explained_variance_ratio - ratio).abs().max().item<double>();
  std::printf("%6lld x %-5lld k=%lld: loupe %7.2f s, LibTorch SVD (float32) %7.2f s, speed-up x%.1f; "
              "worst |cos| %.6f, largest explained-variance difference %.2e\n",
              (long long)n, (long long)d, (long long)k, our_seconds, their_seconds, their_seconds / our_seconds, alignment,
              share);
}

}  // namespace

int main(int argc, char** argv) {
  int64_t k = 2;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--components" && i + 1 < argc) k = std::stoll(argv[++i]);
    else if (flag == "--only" && i + 1 < argc) only = argv[++i];
    else {
      std::cerr << "usage: pca_bench [--components K] [--only 100000x256|20000x2560]\n";
      return 2;
    }
  }
  std::printf("cores: %u, LibTorch threads: %d\n", std::thread::hardware_concurrency(), at::get_num_threads());
  if (only.empty() || only == "100000x256") compare(100000, 256, k);
  if (only.empty() || only == "20000x2560") compare(20000, 2560, k);
  return 0;
}
