// Which of an activation store's vectors SAE training may draw from, and which it keeps for the
// final figures (docs/sae.md, Held-out figures). Whole dataset rows are held out (every language
// and position of a row together, so no caption is split between the two sides): row r is held out
// when row_hash(r) < fraction · 2^64; when no row of the store qualifies, the row with the smallest
// hash is. The rule depends on the row number alone, so every store of a dataset holds out the
// same rows for one fraction.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/sae/sae_held_out.h"
#include "core/sae/sae_trainer.h"
#include "core/store/store_reader.h"

namespace loupe::sae {

// splitmix64's first output for the state `row`: z = row + 0x9E3779B97F4A7C15,
// z = (z ^ z >> 30) · 0xBF58476D1CE4E5B9, z = (z ^ z >> 27) · 0x94D049BB133111EB, z ^ z >> 31.
uint64_t row_hash(uint64_t row);

struct StoreSplit {
  std::vector<int64_t> train;          // global vector indices, ascending
  std::vector<int64_t> held_out;       // global vector indices, ascending
  std::vector<int64_t> held_out_rows;  // dataset rows (rows.jsonl "row"), ascending
  int64_t rows = 0;                    // distinct dataset rows in the store
};

// Throws InputError when fraction is not in (0, 0.5] or the store has fewer than two dataset rows,
// FormatError naming rows.jsonl when an entry has no integer "row".
StoreSplit split_store(const store::StoreReader& store, double fraction);

// Shuffled [batch, d] float32 batches of the store's vectors at `indices` (util::EpochOrder's whole
// batches over them, a fresh permutation per epoch), as store::BatchStream serves a whole store.
// Throws InputError when `indices` holds fewer than `batch` vectors.
BatchSourceFactory store_batches(std::shared_ptr<const store::StoreReader> store, std::string hook,
                                 std::shared_ptr<const std::vector<int64_t>> indices, int64_t batch);

// The store's vectors at `indices` as held-out vectors.
HeldOutVectors store_held_out(std::shared_ptr<const store::StoreReader> store, std::string hook,
                              std::shared_ptr<const std::vector<int64_t>> indices);

}  // namespace loupe::sae
