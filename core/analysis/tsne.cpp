#include "core/analysis/tsne.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "core/analysis/pca.h"
#include "core/analysis/tsne_interpolation.h"
#include "core/error.h"

namespace loupe::analysis {

namespace {

constexpr int64_t kGradientCheckEvery = 50;  // scikit-learn's _N_ITER_CHECK
constexpr double kMinGradientNorm = 1e-7;
constexpr double kMinGain = 0.01;

// Runs fn(begin, end) over [0, n) split across the machine's cores (LibTorch's own pool may hold
// one thread). Each index is computed on its own, so results do not depend on the split.
template <class Fn>
void for_ranges(int64_t n, const Fn& fn) {
  const int64_t threads = std::clamp<int64_t>(int64_t(std::thread::hardware_concurrency()), 1, std::max<int64_t>(1, n / 256));
  std::vector<std::thread> pool;
  for (int64_t t = 1; t < threads; ++t) pool.emplace_back([&, t] { fn(n * t / threads, n * (t + 1) / threads); });
  fn(0, n / threads);
  for (auto& thread : pool) thread.join();
}

// Rows per chunk of an [rows, n] distance block (about 16M floats).
int64_t chunk_rows(int64_t n) { return std::max<int64_t>(1, (int64_t(1) << 24) / std::max<int64_t>(1, n)); }

// Squared Euclidean distances [rows, n] from x[begin, begin + rows) to every point, the point
// itself at +inf. x [n, d] float32, norms [n].
torch::Tensor distance_block(const torch::Tensor& x, const torch::Tensor& norms, int64_t begin, int64_t rows) {
  const torch::Tensor block = x.narrow(0, begin, rows);  // [rows, d]
  torch::Tensor d2 = (norms.narrow(0, begin, rows).unsqueeze(1) + norms.unsqueeze(0) - 2 * block.matmul(x.t()))
                         .clamp_min_(0);  // [rows, n]
  const torch::Tensor self = torch::arange(begin, begin + rows, torch::kInt64);
  d2.index_put_({torch::arange(rows, torch::kInt64), self}, std::numeric_limits<float>::infinity());
  return d2;
}

// The matrix product behind distance_block rounds differently with BLAS's kernel and thread
// choices (even between two calls in one process), and t-SNE amplifies any difference. So the
// neighbours it finds get their squared distances again, summed directly in float64, and are
// ordered by (distance, index): the affinities then depend on the points alone.
void exact_distances(const float* points, int64_t d, int64_t i, int64_t* neighbours, double* d2, int64_t k) {
  std::vector<std::pair<double, int64_t>> found(static_cast<size_t>(k));
  for (int64_t e = 0; e < k; ++e) {
    const float* a = points + i * d;
    const float* b = points + neighbours[e] * d;
    double sum = 0;
    for (int64_t c = 0; c < d; ++c) sum += (double(a[c]) - double(b[c])) * (double(a[c]) - double(b[c]));
    found[size_t(e)] = {sum, neighbours[e]};
  }
  std::sort(found.begin(), found.end());
  for (int64_t e = 0; e < k; ++e) std::tie(d2[e], neighbours[e]) = found[size_t(e)];
}

// Each row's conditional probabilities p_{j|i} over its neighbours' squared distances, with the
// Gaussian precision beta found by bisection so that the row's entropy is log(perplexity).
void conditional_row(const double* d2, double* p, int64_t k, double perplexity) {
  const double desired = std::log(perplexity);
  double beta = 1, beta_min = -std::numeric_limits<double>::infinity(), beta_max = std::numeric_limits<double>::infinity();
  for (int step = 0; step < 100; ++step) {
    double sum_p = 0;
    for (int64_t j = 0; j < k; ++j) sum_p += (p[j] = std::exp(-d2[j] * beta));
    sum_p = std::max(sum_p, 1e-8);
    double weighted = 0;
    for (int64_t j = 0; j < k; ++j) {
      p[j] /= sum_p;
      weighted += d2[j] * p[j];
    }
    const double entropy = std::log(sum_p) + beta * weighted;
    const double difference = entropy - desired;
    if (std::abs(difference) <= 1e-5) break;
    if (difference > 0) {
      beta_min = beta;
      beta = std::isinf(beta_max) ? beta * 2 : (beta + beta_max) / 2;
    } else {
      beta_max = beta;
      beta = std::isinf(beta_min) ? beta / 2 : (beta + beta_min) / 2;
    }
  }
}

// A quadtree over the map's points: each cell knows its points' count and centre of mass.
class QuadTree {
 public:
  // Builds the tree over y, reusing the storage of the previous build (one tree serves every
  // iteration of a descent, so that no iteration allocates and faults in fresh pages).
  void rebuild(const std::vector<double>& y) {
    y_ = &y;
    const int64_t n = int64_t(y.size() / 2);
    leaf_of_.assign(size_t(n), -1);
    cells_.clear();
    order_.resize(size_t(n));
    for (int64_t i = 0; i < n; ++i) order_[size_t(i)] = i;
    double low[2] = {y[0], y[1]}, high[2] = {y[0], y[1]};
    for (int64_t i = 0; i < n; ++i)
      for (int a = 0; a < 2; ++a) {
        low[a] = std::min(low[a], y[size_t(2 * i + a)]);
        high[a] = std::max(high[a], y[size_t(2 * i + a)]);
      }
    const double width = std::max({high[0] - low[0], high[1] - low[1], 1e-12}) * (1 + 1e-9);
    cells_.reserve(size_t(2 * n));
    cells_.emplace_back();
    build(0, {0, n, low[0], low[1], width}, 0);
  }

  // The repulsion on point i: Σ over summarised cells of size·q²·(y_i - centre) into force, and
  // Σ size·q (q = 1 / (1 + distance²)) returned: point i's share of the normaliser Z.
  double repulsion(int64_t i, double theta, double force[2]) const {
    const double yi0 = (*y_)[size_t(2 * i)], yi1 = (*y_)[size_t(2 * i + 1)];
    const double theta2 = theta * theta;
    const int64_t own_leaf = leaf_of_[size_t(i)];
    double z = 0, f0 = 0, f1 = 0;
    int32_t stack[64 * 4];
    int top = 0;
    stack[top++] = 0;
    while (top > 0) {
      const int32_t id = stack[--top];
      const Cell& cell = cells_[size_t(id)];
      const double d0 = yi0 - cell.centre[0], d1 = yi1 - cell.centre[1];
      const double d2 = d0 * d0 + d1 * d1;
      if (cell.first_child < 0 || cell.width2 < theta2 * d2) {
        const double size = double(cell.count - (id == own_leaf ? 1 : 0));
        if (size <= 0) continue;
        const double q = 1 / (1 + d2);
        const double sq = size * q;
        z += sq;
        f0 += sq * q * d0;
        f1 += sq * q * d1;
        continue;
      }
      for (int32_t child = cell.first_child; child < cell.first_child + cell.children; ++child) stack[top++] = child;
    }
    force[0] = f0;
    force[1] = f1;
    return z;
  }

  // The points in the tree's leaf order: neighbours on the map come close together, so that
  // walking them in this order keeps the cells they visit in cache.
  const std::vector<int64_t>& order() const { return order_; }

 private:
  // 48 bytes; a cell's children are consecutive in cells_ (built breadth first per cell).
  struct Cell {
    double centre[2] = {0, 0};  // centre of mass
    double width2 = 0;          // side length squared
    int64_t count = 0;
    int32_t first_child = -1;   // -1: a leaf (one point, or coincident points)
    int32_t children = 0;
  };

  struct Span {
    int64_t begin = 0, end = 0;
    double x0 = 0, y0 = 0, width = 0;
  };

  // Fills cells_[id] for the points order_[begin, end) in the square at (x0, y0) of side `width`,
  // then its non-empty quadrants as consecutive cells, each built in turn.
  void build(int64_t id, const Span& span, int depth) {
    {
      Cell& cell = cells_[size_t(id)];
      cell.width2 = span.width * span.width;
      cell.count = span.end - span.begin;
      for (int64_t k = span.begin; k < span.end; ++k) {
        cell.centre[0] += (*y_)[size_t(2 * order_[size_t(k)])];
        cell.centre[1] += (*y_)[size_t(2 * order_[size_t(k)] + 1)];
      }
      cell.centre[0] /= double(cell.count);
      cell.centre[1] /= double(cell.count);
    }
    if (span.end - span.begin == 1 || depth >= 48) {  // a point, or coincident points
      for (int64_t k = span.begin; k < span.end; ++k) leaf_of_[size_t(order_[size_t(k)])] = id;
      return;
    }
    const double half = span.width / 2, mid0 = span.x0 + half, mid1 = span.y0 + half;
    const auto first = order_.begin();
    const std::vector<double>& y = *y_;
    const auto right = [&](int64_t i) { return y[size_t(2 * i)] >= mid0; };
    const auto upper = [&](int64_t i) { return y[size_t(2 * i + 1)] >= mid1; };
    const int64_t split = std::partition(first + span.begin, first + span.end, [&](int64_t i) { return !right(i); }) - first;
    const int64_t split_left = std::partition(first + span.begin, first + split, [&](int64_t i) { return !upper(i); }) - first;
    const int64_t split_right = std::partition(first + split, first + span.end, [&](int64_t i) { return !upper(i); }) - first;
    const int64_t bounds[5] = {span.begin, split_left, split, split_right, span.end};
    const double corners[4][2] = {{span.x0, span.y0}, {span.x0, mid1}, {mid0, span.y0}, {mid0, mid1}};
    Span quadrants[4];
    int32_t children = 0;
    for (int q = 0; q < 4; ++q)
      if (bounds[q + 1] > bounds[q]) quadrants[children++] = {bounds[q], bounds[q + 1], corners[q][0], corners[q][1], half};
    const auto first_child = int32_t(cells_.size());
    cells_.resize(cells_.size() + size_t(children));
    cells_[size_t(id)].first_child = first_child;
    cells_[size_t(id)].children = children;
    for (int32_t q = 0; q < children; ++q) build(first_child + q, quadrants[q], depth + 1);
  }

  const std::vector<double>* y_ = nullptr;
  std::vector<int64_t> order_;
  std::vector<int64_t> leaf_of_;
  std::vector<Cell> cells_;
};

// The exact repulsion and normaliser share of point i (Repulsion::exact).
double exact_repulsion(const std::vector<double>& y, int64_t i, double force[2]) {
  const int64_t n = int64_t(y.size() / 2);
  double z = 0;
  force[0] = force[1] = 0;
  for (int64_t j = 0; j < n; ++j) {
    if (j == i) continue;
    const double d0 = y[size_t(2 * i)] - y[size_t(2 * j)], d1 = y[size_t(2 * i + 1)] - y[size_t(2 * j + 1)];
    const double q = 1 / (1 + d0 * d0 + d1 * d1);
    z += q;
    force[0] += q * q * d0;
    force[1] += q * q * d1;
  }
  return z;
}

// The gradient's buffers, kept across the iterations of a descent.
struct GradientScratch {
  QuadTree tree;
  std::vector<double> repulsion, z_share, kl_share;
};

// Σ_j q_ij² (y_i − y_j) of every point into scratch.repulsion (flat [n·2]); returns Z = Σ_{i≠j} q_ij.
double repulsion_and_normaliser(const std::vector<double>& y, Repulsion method, double theta, GradientScratch& scratch) {
  std::vector<double>& repulsion = scratch.repulsion;
  if (method == Repulsion::fft) return interpolated_repulsion(y, repulsion);
  const int64_t n = int64_t(y.size() / 2);
  std::vector<double>& z_share = scratch.z_share;
  z_share.resize(size_t(n));
  const bool tree = method == Repulsion::barnes_hut;
  if (tree) scratch.tree.rebuild(y);
  for_ranges(n, [&](int64_t begin, int64_t end) {
    for (int64_t k = begin; k < end; ++k) {
      const int64_t i = tree ? scratch.tree.order()[size_t(k)] : k;  // each point's sums are its own, in any order
      z_share[size_t(i)] = tree ? scratch.tree.repulsion(i, theta, &repulsion[size_t(2 * i)])
                                : exact_repulsion(y, i, &repulsion[size_t(2 * i)]);
    }
  });
  double z = 0;
  for (double share : z_share) z += share;  // in point order: the same sum on any thread count
  return std::max(z, std::numeric_limits<double>::min());
}

// The gradient of the KL divergence at y (flat [n·2]) into grad; the divergence into kl when not null.
void gradient(const Affinities& affinities, const std::vector<double>& y, Repulsion method, double theta,
              double exaggeration, std::vector<double>& grad, GradientScratch& scratch, double* kl = nullptr) {
  const int64_t n = int64_t(y.size() / 2);
  scratch.repulsion.resize(size_t(2 * n));
  scratch.kl_share.resize(kl ? size_t(n) : 0);
  const std::vector<double>& repulsion = scratch.repulsion;
  std::vector<double>& kl_share = scratch.kl_share;
  const double z = repulsion_and_normaliser(y, method, theta, scratch);
  for_ranges(n, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      double attraction[2] = {0, 0}, divergence = 0;
      for (int64_t e = affinities.offsets[size_t(i)]; e < affinities.offsets[size_t(i + 1)]; ++e) {
        const int64_t j = affinities.neighbours[size_t(e)];
        const double p = affinities.p[size_t(e)] * exaggeration;
        const double d0 = y[size_t(2 * i)] - y[size_t(2 * j)], d1 = y[size_t(2 * i + 1)] - y[size_t(2 * j + 1)];
        const double q = 1 / (1 + d0 * d0 + d1 * d1);
        attraction[0] += p * q * d0;
        attraction[1] += p * q * d1;
        if (kl) divergence += p * std::log(std::max(p, 1e-300) / std::max(q / z, 1e-300));
      }
      if (kl) kl_share[size_t(i)] = divergence;
      for (int a = 0; a < 2; ++a)
        grad[size_t(2 * i + a)] = 4 * (attraction[a] - repulsion[size_t(2 * i + a)] / z);
    }
  });
  if (kl) {
    *kl = 0;
    for (double share : kl_share) *kl += share;
  }
}

std::vector<double> initial_map(const torch::Tensor& x, const TsneOptions& options) {
  const int64_t n = x.size(0);
  torch::Tensor y;
  if (options.init == "pca") {
    y = pca(x, 2).embedding.to(torch::kFloat64);  // [n, 2]
  } else {
    torch::manual_seed(options.seed);
    y = torch::randn({n, 2}, torch::kFloat64);
  }
  const double spread = y.select(1, 0).std(/*unbiased=*/false).item<double>();
  y = y / (spread > 0 ? spread : 1) * 1e-4;
  y = y.contiguous();
  return std::vector<double>(y.data_ptr<double>(), y.data_ptr<double>() + 2 * n);
}

// One phase of gradient descent with momentum and per-coordinate gains; returns the iterations
// run (fewer when the gradient norm falls below kMinGradientNorm).
int64_t descend(const Affinities& affinities, std::vector<double>& y, int64_t iterations, double momentum,
                double exaggeration, double learning_rate, const TsneOptions& options, jobs::JobContext& job) {
  std::vector<double> update(y.size(), 0), gains(y.size(), 1), grad(y.size());
  GradientScratch scratch;
  for (int64_t it = 0; it < iterations; ++it) {
    job.throw_if_cancelled();
    gradient(affinities, y, options.repulsion, options.theta, exaggeration, grad, scratch);
    double norm = 0;
    for (size_t c = 0; c < y.size(); ++c) {
      gains[c] = update[c] * grad[c] < 0 ? gains[c] + 0.2 : gains[c] * 0.8;
      gains[c] = std::max(gains[c], kMinGain);
      const double step = grad[c] * gains[c];
      norm += step * step;
      update[c] = momentum * update[c] - learning_rate * step;
      y[c] += update[c];
    }
    job.advance(1);
    if ((it + 1) % kGradientCheckEvery == 0 && std::sqrt(norm) <= kMinGradientNorm) return it + 1;
  }
  return iterations;
}

void check_points(const torch::Tensor& x, const char* what) {
  if (x.dim() != 2) throw InputError(std::string(what) + " must be a matrix [points, dimensions]");
  if (!torch::isfinite(x).all().item<bool>()) throw InputError(std::string(what) + " hold NaN or infinite values");
}

}  // namespace

Affinities tsne_affinities(const torch::Tensor& x_in, double perplexity) {
  const torch::Tensor x = x_in.to(torch::kCPU, torch::kFloat32).contiguous();
  const int64_t n = x.size(0);
  const int64_t k = std::min<int64_t>(n - 1, int64_t(3 * perplexity + 1));
  const torch::Tensor norms = x.square().sum(1);  // [n]
  std::vector<double> d2(static_cast<size_t>(n * k)), conditional(static_cast<size_t>(n * k));
  std::vector<int64_t> nearest(static_cast<size_t>(n * k));
  for (int64_t begin = 0; begin < n; begin += chunk_rows(n)) {
    const int64_t rows = std::min(chunk_rows(n), n - begin);
    const auto [values, indices] = distance_block(x, norms, begin, rows).topk(k, 1, /*largest=*/false, /*sorted=*/true);
    const torch::Tensor v = values.to(torch::kFloat64).contiguous(), ix = indices.contiguous();  // [rows, k]
    std::copy(v.data_ptr<double>(), v.data_ptr<double>() + rows * k, d2.begin() + begin * k);
    std::copy(ix.data_ptr<int64_t>(), ix.data_ptr<int64_t>() + rows * k, nearest.begin() + begin * k);
  }
  const float* points = x.data_ptr<float>();
  for_ranges(n, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      exact_distances(points, x.size(1), i, &nearest[size_t(i * k)], &d2[size_t(i * k)], k);
      conditional_row(&d2[size_t(i * k)], &conditional[size_t(i * k)], k, perplexity);
    }
  });
  // P + Pᵀ as sorted rows with duplicates merged, then normalised to sum 1.
  std::vector<std::vector<std::pair<int64_t, double>>> rows(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t e = 0; e < k; ++e) {
      const int64_t j = nearest[size_t(i * k + e)];
      const double p = conditional[size_t(i * k + e)];
      rows[size_t(i)].push_back({j, p});
      rows[size_t(j)].push_back({i, p});
    }
  Affinities affinities;
  affinities.offsets.push_back(0);
  double total = 0;
  for (auto& row : rows) {
    std::sort(row.begin(), row.end());
    for (size_t e = 0; e < row.size(); ++e) {
      if (e > 0 && row[e].first == row[e - 1].first) {
        affinities.p.back() += row[e].second;
      } else {
        affinities.neighbours.push_back(row[e].first);
        affinities.p.push_back(row[e].second);
      }
      total += row[e].second;
    }
    affinities.offsets.push_back(int64_t(affinities.neighbours.size()));
  }
  for (double& p : affinities.p) p /= std::max(total, std::numeric_limits<double>::epsilon());
  return affinities;
}

Repulsion parse_repulsion(const std::string& name) {
  if (name == "fft") return Repulsion::fft;
  if (name == "barnes-hut") return Repulsion::barnes_hut;
  if (name == "exact") return Repulsion::exact;
  throw InputError("the t-SNE repulsion is fft, barnes-hut or exact, not '" + name + "'");
}

torch::Tensor tsne_gradient(const Affinities& affinities, const torch::Tensor& y_in, Repulsion repulsion, double theta,
                            double exaggeration, double* kl) {
  const torch::Tensor y = y_in.to(torch::kCPU, torch::kFloat64).contiguous();
  std::vector<double> flat(y.data_ptr<double>(), y.data_ptr<double>() + y.numel()), grad(flat.size());
  GradientScratch scratch;
  gradient(affinities, flat, repulsion, theta, exaggeration, grad, scratch, kl);
  return torch::tensor(grad, torch::kFloat64).view({y.size(0), 2});
}

Tsne tsne(const torch::Tensor& x_in, const TsneOptions& options, jobs::JobContext& job) {
  check_points(x_in, "the points");
  const torch::Tensor x = x_in.to(torch::kCPU, torch::kFloat32);
  const int64_t n = x.size(0);
  if (n < 4) throw InputError("t-SNE needs at least 4 points, got " + std::to_string(n));
  if (!(options.perplexity > 0 && options.perplexity < double(n - 1)))
    throw InputError("the perplexity must lie between 0 and the number of points less one (" + std::to_string(n - 1) +
                     "), got " + std::to_string(options.perplexity));
  if (options.repulsion == Repulsion::barnes_hut && !(options.theta > 0))
    throw InputError("the Barnes-Hut angle theta must be positive");
  if (options.exaggeration_iterations < 0 || options.iterations < options.exaggeration_iterations + 1)
    throw InputError("t-SNE runs more iterations (" + std::to_string(options.iterations) +
                     ") than its exaggeration phase (" + std::to_string(options.exaggeration_iterations) + ")");
  if (!(options.early_exaggeration >= 1)) throw InputError("the early exaggeration must be at least 1");
  if (options.init != "pca" && options.init != "random")
    throw InputError("t-SNE starts from pca or random, not '" + options.init + "'");
  if (!(options.learning_rate >= 0)) throw InputError("the learning rate must be positive (0: auto)");

  Tsne result;
  result.learning_rate = options.learning_rate > 0 ? options.learning_rate
                                                   : std::max(double(n) / options.early_exaggeration / 4, 50.0);
  job.set_total(options.iterations);
  job.set_stage("nearest neighbours and affinities");
  const Affinities affinities = tsne_affinities(x, options.perplexity);
  std::vector<double> y = initial_map(x, options);
  job.set_stage("early exaggeration");
  result.iterations = descend(affinities, y, options.exaggeration_iterations, 0.5, options.early_exaggeration,
                              result.learning_rate, options, job);
  job.set_stage("optimising");
  result.iterations += descend(affinities, y, options.iterations - options.exaggeration_iterations, 0.8, 1,
                               result.learning_rate, options, job);
  std::vector<double> grad(y.size());
  GradientScratch scratch;
  gradient(affinities, y, options.repulsion, options.theta, 1, grad, scratch, &result.kl_divergence);
  result.embedding = torch::tensor(y, torch::kFloat64).view({n, 2}).to(torch::kFloat32);
  return result;
}

double trustworthiness(const torch::Tensor& x_in, const torch::Tensor& embedding_in, int64_t k) {
  check_points(x_in, "the points");
  check_points(embedding_in, "the embedding");
  const torch::Tensor x = x_in.to(torch::kCPU, torch::kFloat32).contiguous();
  const torch::Tensor embedding = embedding_in.to(torch::kCPU, torch::kFloat32).contiguous();
  const int64_t n = x.size(0);
  if (embedding.size(0) != n) throw InputError("the embedding has another number of points than the input");
  if (k < 1 || 2 * k >= n) throw InputError("trustworthiness takes 1 <= k < n / 2, got k = " + std::to_string(k));
  const torch::Tensor x_norms = x.square().sum(1), e_norms = embedding.square().sum(1);
  double penalty = 0;
  for (int64_t begin = 0; begin < n; begin += chunk_rows(n)) {
    const int64_t rows = std::min(chunk_rows(n), n - begin);
    const torch::Tensor near = std::get<1>(distance_block(embedding, e_norms, begin, rows).topk(k, 1, false));  // [rows, k]
    const torch::Tensor input = distance_block(x, x_norms, begin, rows);                                          // [rows, n]
    const torch::Tensor at_near = input.gather(1, near);                                                          // [rows, k]
    // r(i, j): 1 + how many points are nearer to i than j in the input.
    torch::Tensor rank = torch::zeros({rows, k}, torch::kInt64);
    for (int64_t c = 0; c < k; ++c) rank.select(1, c).copy_(input.lt(at_near.select(1, c).unsqueeze(1)).sum(1) + 1);
    penalty += (rank - k).clamp_min(0).sum().item<double>();
  }
  return 1 - penalty * 2 / (double(n) * double(k) * (2.0 * double(n) - 3.0 * double(k) - 1));
}

}  // namespace loupe::analysis
