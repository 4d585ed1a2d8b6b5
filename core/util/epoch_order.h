// The order a trainer visits N items in: a fresh permutation of [0, N) for every epoch, drawn
// from (seed, epoch) alone, so that the items of any step can be recomputed after a resume.
// Used by caption training (train_captioner), activation stores (store::BatchStream) and SAE
// training on in-memory data (sae::tensor_batches).
#pragma once
#include <cstdint>
#include <vector>

namespace loupe::util {

class EpochOrder {
 public:
  // Throws InputError when count < 1.
  EpochOrder(int64_t count, uint64_t seed);

  int64_t count() const { return count_; }
  // The permutation of `epoch`; the last one asked for is kept, so walking an epoch is cheap.
  const std::vector<int64_t>& permutation(int64_t epoch);
  // Items [first, first + n) of the endless sequence permutation(0), permutation(1), ...
  std::vector<int64_t> span(int64_t first, int64_t n);
  // Batch `index` of a walk that serves count / batch whole batches per epoch and drops the tail,
  // so that no batch straddles two epochs. Throws InputError when batch is not in [1, count].
  std::vector<int64_t> whole_batch(int64_t index, int64_t batch);

 private:
  int64_t count_;
  uint64_t seed_;
  int64_t epoch_ = -1;
  std::vector<int64_t> permutation_;
};

}  // namespace loupe::util
