#include "core/error.h"
#include "core/store/store_reader.h"

namespace loupe::store {

namespace {

// The store's vector count, after checking that the hook exists and one batch fits.
int64_t checked_count(const StoreReader& store, const std::string& hook, int64_t batch_size) {
  store.width(hook);  // InputError listing the hooks when absent
  if (batch_size < 1) throw InputError("batch size must be at least 1");
  if (store.count() < batch_size)
    throw InputError("the store holds " + std::to_string(store.count()) + " vectors, fewer than one batch of " +
                     std::to_string(batch_size));
  return store.count();
}

}  // namespace

BatchStream::BatchStream(const StoreReader& store, std::string hook, int64_t batch_size, uint64_t seed)
    : store_(&store),
      hook_(std::move(hook)),
      batch_size_(batch_size),
      order_(checked_count(store, hook_, batch_size), seed) {}

torch::Tensor BatchStream::next() {
  const std::vector<int64_t> indices = order_.whole_batch(served_, batch_size_);
  ++served_;
  return store_->gather(hook_, indices);  // [batch_size, d] float32
}

void BatchStream::skip(int64_t batches) {
  if (batches < 0) throw InputError("cannot skip a negative number of batches");
  served_ += batches;
}

}  // namespace loupe::store
