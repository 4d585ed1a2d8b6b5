#include "core/analysis/layer_probes.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "core/error.h"

namespace loupe::analysis {

PooledVectors pooled_entry_vectors(const store::StoreReader& store, const std::string& hook) {
  const int64_t width = store.width(hook);
  const int64_t entries = store.entries().size();
  torch::Tensor sums = torch::zeros({entries, width}, torch::kFloat64);
  torch::Tensor counts = torch::zeros({entries}, torch::kFloat64);
  constexpr int64_t kChunk = 16384;
  for (int64_t begin = 0; begin < store.count(); begin += kChunk) {
    const int64_t end = std::min(store.count(), begin + kChunk);
    const torch::Tensor rows = store.row_index(begin, end);  // [n]
    sums.index_add_(0, rows, store.read(hook, begin, end).to(torch::kFloat64));
    counts.index_add_(0, rows, torch::ones({end - begin}, torch::kFloat64));
  }
  PooledVectors pooled;
  const torch::Tensor kept = counts.gt(0).nonzero().flatten();  // [m]
  pooled.vectors = sums.index_select(0, kept) / counts.index_select(0, kept).unsqueeze(1);
  const auto* index = kept.data_ptr<int64_t>();
  pooled.entries.assign(index, index + kept.numel());
  return pooled;
}

namespace {

// The objective, with z = X w + b.
double logistic_loss(const torch::Tensor& z, const torch::Tensor& y, const torch::Tensor& w, double C) {
  return 0.5 * w.dot(w).item<double>() + C * (torch::nn::functional::softplus(z) - y * z).sum().item<double>();
}

}  // namespace

LogisticModel fit_logistic(const torch::Tensor& x, const torch::Tensor& y, double C) {
  const int64_t n = x.size(0), d = x.size(1);
  const torch::Tensor xb = torch::cat({x, torch::ones({n, 1}, torch::kFloat64)}, 1);  // [n, d + 1]: the bias last
  // The Hessian in float32 (half the time of the largest product); the gradient, the step and the
  // stopping test stay in float64, so an inexact Hessian costs at most an iteration, not accuracy.
  const torch::Tensor xb32 = xb.to(torch::kFloat32);
  torch::Tensor theta = torch::zeros({d + 1}, torch::kFloat64);
  torch::Tensor penalty = torch::ones({d + 1}, torch::kFloat64);
  penalty[d] = 0;  // the intercept is not penalised
  LogisticModel model;
  for (; model.iterations < 100; ++model.iterations) {
    const torch::Tensor z = xb.matmul(theta);
    const torch::Tensor p = torch::sigmoid(z);
    const torch::Tensor gradient = penalty * theta + C * xb.t().matmul(p - y);  // [d + 1]
    if (gradient.abs().max().item<double>() <= 1e-10 * (1 + C * double(n))) break;
    const torch::Tensor curvature = xb32.t().matmul(xb32 * (p * (1 - p)).to(torch::kFloat32).unsqueeze(1));
    const torch::Tensor hessian = torch::diag(penalty) + C * curvature.to(torch::kFloat64);
    const torch::Tensor step = torch::linalg_solve(hessian + 1e-12 * torch::eye(d + 1, torch::kFloat64), gradient);
    const double before = logistic_loss(z, y, theta.narrow(0, 0, d), C);
    double scale = 1;
    torch::Tensor next = theta - step;
    while (scale > 1e-8 && logistic_loss(xb.matmul(next), y, next.narrow(0, 0, d), C) > before) {
      scale /= 2;
      next = theta - scale * step;
    }
    theta = next;
  }
  model.weights = theta.narrow(0, 0, d).clone();
  model.bias = theta[d].item<double>();
  return model;
}

std::vector<int64_t> stratified_folds(const std::vector<int64_t>& labels, int64_t k, uint64_t seed) {
  if (k < 2) throw InputError("a cross-validated probe needs at least 2 folds");
  std::map<int64_t, std::vector<size_t>> by_class;
  for (size_t i = 0; i < labels.size(); ++i) by_class[labels[i]].push_back(i);
  std::mt19937_64 generator(seed);
  std::vector<int64_t> folds(labels.size(), 0);
  for (auto& [label, members] : by_class) {
    if (int64_t(members.size()) < k)
      throw InputError("class " + std::to_string(label) + " has " + std::to_string(members.size()) + " entries, fewer than the " +
                       std::to_string(k) + " folds");
    std::shuffle(members.begin(), members.end(), generator);
    for (size_t i = 0; i < members.size(); ++i) folds[members[i]] = int64_t(i) % k;
  }
  return folds;
}

namespace {

// The accuracy on `test` (sample indices) of a probe fit on `train`, features standardised with the
// training samples' mean and population standard deviation.
double train_and_score(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& train, const torch::Tensor& test,
                       double C) {
  const torch::Tensor x_train = x.index_select(0, train);
  const torch::Tensor mean = x_train.mean(0);
  torch::Tensor scale = x_train.std(0, /*unbiased=*/false);
  scale = torch::where(scale.gt(0), scale, torch::ones_like(scale));
  const LogisticModel model = fit_logistic((x_train - mean) / scale, y.index_select(0, train), C);
  const torch::Tensor z = ((x.index_select(0, test) - mean) / scale).matmul(model.weights) + model.bias;
  return z.gt(0).to(torch::kFloat64).eq(y.index_select(0, test)).to(torch::kFloat64).mean().item<double>();
}

}  // namespace

double held_out_accuracy(const torch::Tensor& x, const std::vector<int64_t>& labels, const std::vector<bool>& held_out,
                         double C) {
  std::vector<int64_t> train, test;
  for (size_t i = 0; i < held_out.size(); ++i) (held_out[i] ? test : train).push_back(int64_t(i));
  if (train.empty() || test.empty()) throw InputError("a held-out probe needs training and test samples");
  const torch::Tensor y = torch::tensor(labels, torch::kInt64).to(torch::kFloat64);
  return train_and_score(x, y, torch::tensor(train, torch::kInt64), torch::tensor(test, torch::kInt64), C);
}

ProbeScore probe_accuracy(const torch::Tensor& x, const std::vector<int64_t>& labels, const std::vector<int64_t>& folds,
                          double C) {
  const int64_t k = *std::max_element(folds.begin(), folds.end()) + 1;
  const torch::Tensor y = torch::tensor(labels, torch::kInt64).to(torch::kFloat64);
  const torch::Tensor fold = torch::tensor(folds, torch::kInt64);
  ProbeScore score;
  score.fold_accuracy.assign(size_t(k), 0.0);
  // Folds are independent: each on its own thread, so the score does not depend on the thread count.
  const auto run_fold = [&](int64_t f) {
    score.fold_accuracy[size_t(f)] = train_and_score(x, y, fold.ne(f).nonzero().flatten(), fold.eq(f).nonzero().flatten(), C);
  };
  const int64_t threads = std::clamp<int64_t>(int64_t(std::thread::hardware_concurrency()), 1, k);
  std::vector<std::thread> pool;
  std::exception_ptr failure;
  std::mutex failure_mutex;
  for (int64_t t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      try {
        for (int64_t f = t; f < k; f += threads) run_fold(f);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(failure_mutex);
        failure = std::current_exception();
      }
    });
  for (auto& thread : pool) thread.join();
  if (failure) std::rethrow_exception(failure);
  for (double a : score.fold_accuracy) score.mean += a / double(k);
  for (double a : score.fold_accuracy) score.std += (a - score.mean) * (a - score.mean) / double(k);
  score.std = std::sqrt(score.std);
  return score;
}

RankFigures effective_rank(const torch::Tensor& vectors) {
  if (vectors.size(0) < 2) throw InputError("the effective rank needs at least 2 vectors");
  if (!torch::isfinite(vectors).all().item<bool>()) throw InputError("the vectors hold NaN or infinite values");
  const torch::Tensor centred = vectors.to(torch::kFloat64) - vectors.to(torch::kFloat64).mean(0);
  const torch::Tensor singular = torch::linalg_svdvals(centred);  // descending
  RankFigures figures;
  figures.vectors = vectors.size(0);
  const torch::Tensor variance = singular.square();
  const double total = variance.sum().item<double>();
  if (total == 0) return figures;  // every vector the same: rank 0, no information
  const torch::Tensor share = variance.cumsum(0) / total;
  figures.components_95 = share.lt(0.95 - 1e-12).sum().item<int64_t>() + 1;
  const torch::Tensor p = singular / singular.sum();
  const torch::Tensor positive = p.masked_select(p.gt(0));
  figures.information_content = -(positive * positive.log()).sum().item<double>();
  return figures;
}

}  // namespace loupe::analysis
