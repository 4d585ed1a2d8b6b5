// What a layer's pooled vectors encode (issue 14): L2-regularised logistic-regression probes with
// stratified k-fold accuracy, and the effective rank and information content of the vectors. An
// entry's pooled vector is the mean of its stored vectors at the hook, as in the feature analysis.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/store/store_reader.h"

namespace loupe::analysis {

// [entries, d] float64 means of each entry's stored vectors at `hook`, and which store entries
// they are (entries with no vector are left out), in store order.
struct PooledVectors {
  torch::Tensor vectors;
  std::vector<int64_t> entries;
};
PooledVectors pooled_entry_vectors(const store::StoreReader& store, const std::string& hook);

// Minimises ½‖w‖² + C Σᵢ [log(1 + e^{zᵢ}) − yᵢ zᵢ], zᵢ = xᵢ·w + b (scikit-learn's
// LogisticRegression objective: the intercept is not penalised) by Newton's method with a
// backtracking line search, to a gradient below 1e-10 · (1 + C·n). x [n, d] float64, y [n] of 0/1.
struct LogisticModel {
  torch::Tensor weights;  // [d]
  double bias = 0;
  int64_t iterations = 0;
};
LogisticModel fit_logistic(const torch::Tensor& x, const torch::Tensor& y, double C);

// Fold (0..k−1) of each sample, stratified: each class's samples, shuffled with a generator seeded
// by `seed`, are dealt to the folds in turn. InputError when a class has fewer than k samples.
std::vector<int64_t> stratified_folds(const std::vector<int64_t>& labels, int64_t k, uint64_t seed);

// Accuracy on each held-out fold of a probe trained on the other folds; features standardised with
// the training folds' mean and population standard deviation (a constant feature is left centred).
struct ProbeScore {
  std::vector<double> fold_accuracy;
  double mean = 0;
  double std = 0;  // population standard deviation over folds (numpy's default)
};
ProbeScore probe_accuracy(const torch::Tensor& x, const std::vector<int64_t>& labels, const std::vector<int64_t>& folds,
                          double C);

// Accuracy on the samples marked `held_out` of a probe trained on all the others, standardised
// with the training samples' statistics as above: a probe fit on one split and tested on another.
double held_out_accuracy(const torch::Tensor& x, const std::vector<int64_t>& labels, const std::vector<bool>& held_out,
                         double C);

// The centred vectors' spectrum: the fewest principal components whose variance reaches 95% of the
// total, and the Shannon entropy (nats) of the singular values normalised to sum 1. InputError for
// fewer than 2 vectors or non-finite values.
struct RankFigures {
  int64_t vectors = 0;
  int64_t components_95 = 0;
  double information_content = 0;
};
RankFigures effective_rank(const torch::Tensor& vectors);

}  // namespace loupe::analysis
