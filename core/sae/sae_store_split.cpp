#include "core/sae/sae_store_split.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/error.h"
#include "core/util/epoch_order.h"

namespace loupe::sae {

uint64_t row_hash(uint64_t row) {
  uint64_t z = row + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

StoreSplit split_store(const store::StoreReader& store, double fraction) {
  if (!(fraction > 0 && fraction <= 0.5))
    throw InputError("--held-out must lie in (0, 0.5] (the share of dataset rows kept out of training), got " +
                     std::to_string(fraction));
  const std::vector<int64_t>& entry_row = store.entries().row;  // the dataset row of every rows.jsonl entry
  const std::set<int64_t> rows(entry_row.begin(), entry_row.end());
  if (rows.size() < 2)
    throw InputError("the store " + store.folder().string() + " holds vectors of " + std::to_string(rows.size()) +
                     " dataset row(s); SAE training holds out whole rows for its final figures and needs at least 2");
  // row_hash(r) < fraction · 2^64, compared in long double so that fraction 0.5 is exact.
  const long double limit = std::ldexp(static_cast<long double>(fraction), 64);
  std::set<int64_t> held;
  for (int64_t row : rows)
    if (static_cast<long double>(row_hash(uint64_t(row))) < limit) held.insert(row);
  if (held.empty())
    held.insert(*std::min_element(rows.begin(), rows.end(), [](int64_t a, int64_t b) {
      return row_hash(uint64_t(a)) < row_hash(uint64_t(b));
    }));
  if (held.size() == rows.size())
    throw InputError("--held-out " + std::to_string(fraction) + " holds out every dataset row of the store; use a smaller fraction");

  StoreSplit split;
  split.rows = int64_t(rows.size());
  split.held_out_rows.assign(held.begin(), held.end());
  const torch::Tensor entries = store.row_index(0, store.count()).to(torch::kLong).contiguous();  // [count]
  const int64_t* entry = entries.data_ptr<int64_t>();
  for (int64_t v = 0; v < store.count(); ++v) {
    if (entry[v] < 0 || entry[v] >= store.entries().size())
      throw FormatError(store.folder().string() + ": vector " + std::to_string(v) + " has row_index " +
                        std::to_string(entry[v]) + ", outside rows.jsonl's " + std::to_string(store.entries().size()) +
                        " entries");
    (held.count(entry_row[size_t(entry[v])]) ? split.held_out : split.train).push_back(v);
  }
  return split;
}

BatchSourceFactory store_batches(std::shared_ptr<const store::StoreReader> store, std::string hook,
                                 std::shared_ptr<const std::vector<int64_t>> indices, int64_t batch) {
  store->width(hook);  // InputError listing the hooks when absent
  if (batch < 1 || int64_t(indices->size()) < batch)
    throw InputError("--batch " + std::to_string(batch) + " is larger than the " + std::to_string(indices->size()) +
                     " training vectors of the store; use a smaller batch or extract more rows");
  return [store, hook, indices, batch](uint64_t seed) {
    auto order = std::make_shared<util::EpochOrder>(int64_t(indices->size()), seed);
    auto served = std::make_shared<int64_t>(0);
    BatchSource source;
    // Each function keeps the store alive with the indices that point into it.
    source.next = [store, hook, indices, batch, order, served]() {
      std::vector<int64_t> picked = order->whole_batch((*served)++, batch);
      for (int64_t& i : picked) i = (*indices)[size_t(i)];
      return store->gather(hook, picked);  // [batch, d] float32
    };
    source.skip = [served](int64_t batches) {
      if (batches < 0) throw InputError("cannot skip a negative number of batches");
      *served += batches;
    };
    return source;
  };
}

HeldOutVectors store_held_out(std::shared_ptr<const store::StoreReader> store, std::string hook,
                              std::shared_ptr<const std::vector<int64_t>> indices) {
  store->width(hook);
  HeldOutVectors vectors;
  vectors.count = int64_t(indices->size());
  vectors.read = [store, hook, indices](int64_t begin, int64_t end) {
    return store->gather(hook, std::vector<int64_t>(indices->begin() + begin, indices->begin() + end));
  };
  return vectors;
}

}  // namespace loupe::sae
