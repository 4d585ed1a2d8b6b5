#include <numeric>
#include <random>

#include "core/error.h"
#include "core/store/store_reader.h"

namespace loupe::store {

BatchStream::BatchStream(const StoreReader& store, std::string hook, int64_t batch_size, uint64_t seed)
    : store_(&store), hook_(std::move(hook)), batch_size_(batch_size), seed_(seed) {
  store.width(hook_);  // InputError listing the hooks when absent
  if (batch_size < 1) throw InputError("batch size must be at least 1");
  if (store.count() < batch_size)
    throw InputError("the store holds " + std::to_string(store.count()) + " vectors, fewer than one batch of " +
                     std::to_string(batch_size));
}

int64_t BatchStream::batches_per_epoch() const { return store_->count() / batch_size_; }

void BatchStream::start_epoch(int64_t epoch) {
  // The permutation depends on (seed, epoch) alone, so skip() can jump to any batch.
  order_.resize(size_t(store_->count()));
  std::iota(order_.begin(), order_.end(), int64_t(0));
  std::mt19937_64 random(seed_ * 0x9E3779B97F4A7C15ull + uint64_t(epoch) + 1);
  for (size_t i = order_.size(); i > 1; --i) {
    const size_t j = size_t(random() % i);
    std::swap(order_[i - 1], order_[j]);
  }
  epoch_ = epoch;
}

torch::Tensor BatchStream::next() {
  const int64_t epoch = served_ / batches_per_epoch();
  if (epoch != epoch_) start_epoch(epoch);
  const int64_t within = served_ % batches_per_epoch();  // the batch's index in its epoch
  const auto first = order_.begin() + within * batch_size_;
  std::vector<int64_t> indices(first, first + batch_size_);
  ++served_;
  return store_->gather(hook_, indices);  // [batch_size, d] float32
}

void BatchStream::skip(int64_t batches) {
  if (batches < 0) throw InputError("cannot skip a negative number of batches");
  served_ += batches;
}

}  // namespace loupe::store
