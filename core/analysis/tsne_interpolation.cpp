#include "core/analysis/tsne_interpolation.h"

#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace loupe::analysis {

namespace {

constexpr int64_t kNodesPerBox = 3;  // per axis
constexpr int64_t kMinBoxes = 50;    // per axis
constexpr double kMaxBoxWidth = 1;   // in map units
constexpr int kCharges = 4;          // 1, y_x, y_y, |y|²

// The smallest m >= at_least whose only prime factors are 2, 3 and 5 (fast FFT lengths).
int64_t smooth_at_least(int64_t at_least) {
  for (int64_t m = at_least;; ++m) {
    int64_t rest = m;
    for (int64_t factor : {2, 3, 5})
      while (rest % factor == 0) rest /= factor;
    if (rest == 1) return m;
  }
}

// Where one coordinate falls on the grid: the first of its box's nodes, and the Lagrange weights of
// the box's kNodesPerBox nodes, which sit at (k + ½) / kNodesPerBox of the box.
struct AxisWeights {
  int64_t first_node = 0;
  std::array<double, kNodesPerBox> weight{};
};

AxisWeights axis_weights(double coordinate, double lo, double box_width, int64_t boxes) {
  const double u = (coordinate - lo) / box_width;
  const int64_t box = std::clamp<int64_t>(int64_t(u), 0, boxes - 1);
  const double t = u - double(box);  // in [0, 1]
  AxisWeights axis;
  axis.first_node = box * kNodesPerBox;
  for (int64_t k = 0; k < kNodesPerBox; ++k) {
    const double node_k = (double(k) + 0.5) / kNodesPerBox;
    double w = 1;
    for (int64_t m = 0; m < kNodesPerBox; ++m) {
      if (m == k) continue;
      const double node_m = (double(m) + 0.5) / kNodesPerBox;
      w *= (t - node_m) / (node_k - node_m);
    }
    axis.weight[size_t(k)] = w;
  }
  return axis;
}

// The kernel 1 / (1 + r²)² between nodes, as the first row of a circulant [2G, 2G] that embeds the
// grid's Toeplitz matrix: entry (a, b) is the kernel at offset (a, b) nodes, negative offsets wrapped.
torch::Tensor circulant_kernel(int64_t grid, double spacing) {
  const int64_t size = 2 * grid;
  torch::Tensor offsets = torch::arange(size, torch::kFloat64);
  offsets = torch::where(offsets.ge(double(grid)), offsets - double(size), offsets) * spacing;  // [2G]
  torch::Tensor kernel = (1 + offsets.square().unsqueeze(1) + offsets.square().unsqueeze(0)).reciprocal().square();
  kernel.select(0, grid).zero_();  // offset G never pairs two nodes
  kernel.select(1, grid).zero_();
  return kernel;  // [2G, 2G]
}

// The charges [4, G, G] convolved with the kernel over the grid: the product with the circulant
// kernel's transform on the grid zero-padded to [2G, 2G], of which only the first G rows and columns
// hold charges and only they are read back. So the row transforms run over those G rows alone (the
// padding is implicit in the transform length) and the inverse row transforms over the G rows
// read: three quarters of the work of two full 2-D transforms.
torch::Tensor convolve(const torch::Tensor& charges, const torch::Tensor& kernel_hat, int64_t grid) {
  const int64_t padded = 2 * grid;
  const torch::Tensor rows = torch::fft::rfft(charges, padded, 2);         // [4, G, G + 1]
  const torch::Tensor both = torch::fft::fft(rows, padded, 1) * kernel_hat;  // [4, 2G, G + 1]
  const torch::Tensor back = torch::fft::ifft(both, padded, 1).narrow(1, 0, grid);  // [4, G, G + 1]
  return torch::fft::irfft(back, padded, 2).narrow(2, 0, grid).contiguous();  // [4, G, G]
}

}  // namespace

double interpolated_repulsion(const std::vector<double>& y_in, std::vector<double>& repulsion) {
  const int64_t n = int64_t(y_in.size() / 2);
  const auto [lo_it, hi_it] = std::minmax_element(y_in.begin(), y_in.end());
  // Coordinates relative to the square's centre, so that |y|² stays small beside the potentials.
  const double centre = (*lo_it + *hi_it) / 2, half = std::max((*hi_it - *lo_it) / 2, 1e-12);
  std::vector<double> y(y_in.size());
  for (size_t c = 0; c < y.size(); ++c) y[c] = y_in[c] - centre;
  const int64_t boxes = smooth_at_least(std::max<int64_t>(kMinBoxes, int64_t(std::ceil(2 * half / kMaxBoxWidth))));
  const double box_width = 2 * half / double(boxes);
  const int64_t grid = boxes * kNodesPerBox;

  std::vector<AxisWeights> axes(static_cast<size_t>(2 * n));
  for (size_t c = 0; c < axes.size(); ++c) axes[c] = axis_weights(y[c], -half, box_width, boxes);

  torch::Tensor charges = torch::zeros({kCharges, grid, grid}, torch::kFloat64);
  double* w = charges.data_ptr<double>();
  const int64_t plane = grid * grid;
  for (int64_t i = 0; i < n; ++i) {  // in point order: the same grid on any thread count
    const double x0 = y[size_t(2 * i)], x1 = y[size_t(2 * i + 1)];
    const double charge[kCharges] = {1, x0, x1, x0 * x0 + x1 * x1};
    const AxisWeights &a = axes[size_t(2 * i)], &b = axes[size_t(2 * i + 1)];
    for (int64_t k = 0; k < kNodesPerBox; ++k)
      for (int64_t l = 0; l < kNodesPerBox; ++l) {
        const double weight = a.weight[size_t(k)] * b.weight[size_t(l)];
        const int64_t node = (a.first_node + k) * grid + b.first_node + l;
        for (int c = 0; c < kCharges; ++c) w[c * plane + node] += weight * charge[c];
      }
  }
  const torch::Tensor kernel = torch::fft::rfft2(circulant_kernel(grid, box_width / kNodesPerBox));  // [2G, G + 1]
  const torch::Tensor potentials = convolve(charges, kernel, grid);  // [4, G, G]
  const double* phi = potentials.data_ptr<double>();

  double z = 0;
  for (int64_t i = 0; i < n; ++i) {
    double at[kCharges] = {0, 0, 0, 0};
    const AxisWeights &a = axes[size_t(2 * i)], &b = axes[size_t(2 * i + 1)];
    for (int64_t k = 0; k < kNodesPerBox; ++k)
      for (int64_t l = 0; l < kNodesPerBox; ++l) {
        const double weight = a.weight[size_t(k)] * b.weight[size_t(l)];
        const int64_t node = (a.first_node + k) * grid + b.first_node + l;
        for (int c = 0; c < kCharges; ++c) at[c] += weight * phi[c * plane + node];
      }
    const double x0 = y[size_t(2 * i)], x1 = y[size_t(2 * i + 1)];
    z += (1 + x0 * x0 + x1 * x1) * at[0] - 2 * (x0 * at[1] + x1 * at[2]) + at[3];
    repulsion[size_t(2 * i)] = x0 * at[0] - at[1];
    repulsion[size_t(2 * i + 1)] = x1 * at[0] - at[2];
  }
  return std::max(z - double(n), std::numeric_limits<double>::min());
}

}  // namespace loupe::analysis
