#include "core/util/epoch_order.h"

#include <numeric>
#include <random>
#include <string>
#include <utility>

#include "core/error.h"

namespace loupe::util {

EpochOrder::EpochOrder(int64_t count, uint64_t seed) : count_(count), seed_(seed) {
  if (count < 1) throw InputError("nothing to visit: an epoch needs at least one item");
}

const std::vector<int64_t>& EpochOrder::permutation(int64_t epoch) {
  if (epoch == epoch_) return permutation_;
  permutation_.resize(size_t(count_));
  std::iota(permutation_.begin(), permutation_.end(), int64_t(0));
  std::mt19937_64 generator(seed_ ^ (0x9E3779B97F4A7C15ULL * uint64_t(epoch + 1)));
  // Fisher-Yates with an explicit draw, so the order does not depend on the standard library.
  for (size_t i = permutation_.size(); i > 1; --i) std::swap(permutation_[i - 1], permutation_[size_t(generator() % i)]);
  epoch_ = epoch;
  return permutation_;
}

std::vector<int64_t> EpochOrder::span(int64_t first, int64_t n) {
  std::vector<int64_t> items;
  items.reserve(size_t(n));
  for (int64_t position = first; position < first + n; ++position)
    items.push_back(permutation(position / count_)[size_t(position % count_)]);
  return items;
}

std::vector<int64_t> EpochOrder::whole_batch(int64_t index, int64_t batch) {
  if (batch < 1 || batch > count_)
    throw InputError("a batch of " + std::to_string(batch) + " does not fit " + std::to_string(count_) + " items");
  const int64_t per_epoch = count_ / batch;
  const auto& order = permutation(index / per_epoch);
  const auto first = order.begin() + (index % per_epoch) * batch;
  return std::vector<int64_t>(first, first + batch);
}

}  // namespace loupe::util
