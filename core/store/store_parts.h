// Splitting one extraction into parts that run as separate processes (a Slurm array, say) and
// joining them again (docs/cluster.md). `--shard I/N` extracts part I of N: the dataset rows (the
// first --limit) are cut into batches of --batch from the first row, exactly as a single-process
// extraction batches them, and part I takes batches [floor(I*C/N), floor((I+1)*C/N)) of the C
// batches. Every part therefore runs the forward passes the single process would, and the merged
// store (store_merge.h) equals the single-process store byte for byte.
#pragma once

#include <cstdint>
#include <string>

namespace loupe::store {

// Part `index` (0-based) of `count`.
struct StorePart {
  int64_t index = 0;
  int64_t count = 1;
};

// "I/N" as `loupe extract --shard` takes it: 0 <= I < N. Throws InputError otherwise.
StorePart parse_store_part(const std::string& text);

// The dataset rows [first, end) of `part` when `rows` rows are extracted `batch` at a time.
struct PartRows {
  int64_t first = 0;
  int64_t end = 0;
};

// Throws InputError when the rows make fewer batches than parts (a part would be empty).
PartRows part_rows(int64_t rows, int64_t batch, StorePart part);

}  // namespace loupe::store
