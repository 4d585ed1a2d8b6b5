#include "core/analysis/tsne.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "core/analysis/pca.h"
#include "core/analysis/tsne_interpolation.h"
#include "core/analysis/tsne_quadtree.h"
#include "core/error.h"

namespace loupe::analysis {

namespace {

constexpr int64_t kGradientCheckEvery = 50;  // scikit-learn's _N_ITER_CHECK
constexpr double kMinGradientNorm = 1e-7;
constexpr double kMinGain = 0.01;

// Runs fn(begin, end) over [0, n) split across the machine's cores (LibTorch's own pool may hold
// one thread), each thread taking at least `grain` indices. Each index is computed on its own, so
// results do not depend on the split.
template <class Fn>
void for_ranges(int64_t n, const Fn& fn, int64_t grain = 256) {
  const int64_t threads = std::clamp<int64_t>(int64_t(std::thread::hardware_concurrency()), 1, std::max<int64_t>(1, n / grain));
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

// The k nearest neighbours of every point (not itself) by the squared distances of a matrix
// product, into nearest [n · k], in no particular order (exact_distances orders them). x [n, d]
// float32, norms [n]. One pass over each row keeps the k nearest so far in a heap.
void nearest_neighbours(const torch::Tensor& x, const torch::Tensor& norms, int64_t k, std::vector<int64_t>& nearest) {
  const int64_t n = x.size(0);
  const int64_t chunk = std::max<int64_t>(64, (int64_t(1) << 22) / n);  // rows per product: about 4M floats
  const float* norm = norms.data_ptr<float>();
  for (int64_t begin = 0; begin < n; begin += chunk) {
    const int64_t rows = std::min(chunk, n - begin);
    const torch::Tensor dots = x.narrow(0, begin, rows).matmul(x.t()).contiguous();  // [rows, n]
    const float* dot = dots.data_ptr<float>();
    for_ranges(rows, [&](int64_t first, int64_t last) {
      std::vector<std::pair<float, int64_t>> heap;  // the k nearest so far, the farthest on top
      heap.reserve(size_t(k));
      for (int64_t r = first; r < last; ++r) {
        const int64_t i = begin + r;
        const float* row = dot + r * n;
        heap.clear();
        for (int64_t j = 0; j < n; ++j) {
          if (j == i) continue;
          float d2 = norm[j] - 2 * row[j];  // less norm[i], the same for the whole row
          if (std::isnan(d2)) d2 = std::numeric_limits<float>::infinity();  // squares past float's range
          if (int64_t(heap.size()) < k) {
            heap.push_back({d2, j});
            std::push_heap(heap.begin(), heap.end());
          } else if (d2 < heap.front().first) {
            std::pop_heap(heap.begin(), heap.end());
            heap.back() = {d2, j};
            std::push_heap(heap.begin(), heap.end());
          }
        }
        for (int64_t e = 0; e < k; ++e) nearest[size_t(i * k + e)] = heap[size_t(e)].second;
      }
    }, /*grain=*/16);
  }
}

// The matrix product behind the neighbour search rounds differently with BLAS's kernel and thread
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

// The gradient's buffers, kept across the iterations of a descent, and the neighbour graph in the
// compact form the attraction reads (int32 neighbours, float p).
struct GradientScratch {
  explicit GradientScratch(const Affinities& affinities)
      : offsets(affinities.offsets),
        neighbours(affinities.neighbours.begin(), affinities.neighbours.end()),
        p(affinities.p.begin(), affinities.p.end()) {}

  std::vector<int64_t> offsets;
  std::vector<int32_t> neighbours;
  std::vector<float> p;
  QuadTree tree;
  std::vector<double> repulsion, z_share;
  std::vector<float> y;  // the map in float, for the attraction
};

// Σ_j q_ij² (y_i − y_j) of every point into scratch.repulsion (flat [n·2]); returns Z = Σ_{i≠j} q_ij.
double repulsion_and_normaliser(const std::vector<double>& y, Repulsion method, double theta, GradientScratch& scratch) {
  std::vector<double>& repulsion = scratch.repulsion;
  if (method == Repulsion::fft) return interpolated_repulsion(y, repulsion);
  const int64_t n = int64_t(y.size() / 2);
  std::vector<double>& z_share = scratch.z_share;
  z_share.resize(size_t(n));
  if (method == Repulsion::barnes_hut) {
    scratch.tree.rebuild(y);
    for_ranges(scratch.tree.groups(), [&](int64_t begin, int64_t end) {
      QuadTree::Interactions list;
      for (int64_t g = begin; g < end; ++g) scratch.tree.group_repulsion(g, theta, list, repulsion.data(), z_share.data());
    }, /*grain=*/4);
  } else {
    for_ranges(n, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) z_share[size_t(i)] = exact_repulsion(y, i, &repulsion[size_t(2 * i)]);
    });
  }
  double z = 0;
  for (double share : z_share) z += share;  // in point order: the same sum on any thread count
  return std::max(z, std::numeric_limits<double>::min());
}

// Σ_j p_ij q_ij Z (y_i − y_j) over point i's neighbours (y flat [n · 2] in float), in fixed lanes
// that vectorise; compiled for AVX2 as well, chosen at run time where the processor has it.
__attribute__((target_clones("avx2", "default"))) void attraction(const GradientScratch& graph, const float* y,
                                                                   int64_t i, double out[2]) {
  constexpr int64_t kLanes = 8;
  float a0[kLanes] = {}, a1[kLanes] = {};
  const int64_t begin = graph.offsets[size_t(i)], end = graph.offsets[size_t(i + 1)];
  const float yi0 = y[2 * i], yi1 = y[2 * i + 1];
  const int32_t* neighbours = graph.neighbours.data();
  const float* p = graph.p.data();
  const auto add = [&](int64_t e, int64_t lane) {
    const int64_t j = neighbours[e];
    const float d0 = yi0 - y[2 * j], d1 = yi1 - y[2 * j + 1];
    const float pq = p[e] / (1 + d0 * d0 + d1 * d1);
    a0[lane] += pq * d0;
    a1[lane] += pq * d1;
  };
  int64_t e = begin;
  for (; e + kLanes <= end; e += kLanes)
    for (int64_t lane = 0; lane < kLanes; ++lane) add(e + lane, lane);
  for (int64_t lane = 0; e < end; ++e, ++lane) add(e, lane);
  out[0] = out[1] = 0;
  for (int64_t lane = 0; lane < kLanes; ++lane) {
    out[0] += double(a0[lane]);
    out[1] += double(a1[lane]);
  }
}

// The KL divergence Σ p_ij log(p_ij / q_ij) over the neighbour graph, q_ij = (1 + |y_i − y_j|²)⁻¹ / z.
double kl_divergence(const Affinities& affinities, const std::vector<double>& y, double exaggeration, double z) {
  const int64_t n = int64_t(y.size() / 2);
  double kl = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t e = affinities.offsets[size_t(i)]; e < affinities.offsets[size_t(i + 1)]; ++e) {
      const int64_t j = affinities.neighbours[size_t(e)];
      const double p = affinities.p[size_t(e)] * exaggeration;
      const double d0 = y[size_t(2 * i)] - y[size_t(2 * j)], d1 = y[size_t(2 * i + 1)] - y[size_t(2 * j + 1)];
      const double q = 1 / (1 + d0 * d0 + d1 * d1);
      kl += p * std::log(std::max(p, 1e-300) / std::max(q / z, 1e-300));
    }
  return kl;
}

// The gradient of the KL divergence at y (flat [n·2]) into grad; the divergence into kl when not null.
void gradient(const Affinities& affinities, const std::vector<double>& y, Repulsion method, double theta,
              double exaggeration, std::vector<double>& grad, GradientScratch& scratch, double* kl = nullptr) {
  const int64_t n = int64_t(y.size() / 2);
  scratch.repulsion.resize(size_t(2 * n));
  const std::vector<double>& repulsion = scratch.repulsion;
  const double z = repulsion_and_normaliser(y, method, theta, scratch);
  scratch.y.assign(y.begin(), y.end());
  for_ranges(n, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      double pull[2];
      attraction(scratch, scratch.y.data(), i, pull);
      for (int a = 0; a < 2; ++a)
        grad[size_t(2 * i + a)] = 4 * (exaggeration * pull[a] - repulsion[size_t(2 * i + a)] / z);
    }
  });
  if (kl) *kl = kl_divergence(affinities, y, exaggeration, z);
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
  GradientScratch scratch(affinities);
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
  nearest_neighbours(x, norms, k, nearest);
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
  GradientScratch scratch(affinities);
  gradient(affinities, flat, repulsion, theta, exaggeration, grad, scratch, kl);
  return torch::tensor(grad, torch::kFloat64).view({y.size(0), 2});
}

Tsne tsne(const torch::Tensor& x_in, const TsneOptions& options, jobs::JobContext& job) {
  check_points(x_in, "the points");
  const torch::Tensor x = x_in.to(torch::kCPU, torch::kFloat32);
  if (!torch::isfinite(x.square().sum(1)).all().item<bool>())
  {
    std::ostringstream largest;
    largest << x.abs().max().item<double>();
    throw InputError("the points are too large for float32 distances (largest |value| " + largest.str() + "): scale them down");
  }
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
  GradientScratch scratch(affinities);
  gradient(affinities, y, options.repulsion, options.theta, 1, grad, scratch, &result.kl_divergence);
  result.embedding = torch::tensor(y, torch::kFloat64).view({n, 2}).to(torch::kFloat32);
  if (!torch::isfinite(result.embedding).all().item<bool>() || !std::isfinite(result.kl_divergence))
    throw InputError("the t-SNE descent diverged: the map holds values that are not finite");
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
