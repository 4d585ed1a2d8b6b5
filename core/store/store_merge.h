// `loupe store merge`: joins the part stores of one `--shard I/N` extraction (store_parts.h) into
// the store a single-process extraction with the same options writes, byte for byte: the units are
// replayed in dataset order through a StoreWriter, so shards are cut where the single process cuts
// them, row_index is renumbered, checksums are recomputed and manifest.json is written last.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace loupe::store {

struct MergeSummary {
  std::string store;     // the merged store's folder
  int64_t parts = 0;
  int64_t rows = 0;      // rows.jsonl entries
  int64_t vectors = 0;
  int64_t shards = 0;    // shard files written
  int64_t skipped = 0;   // dataset rows the parts skipped (missing or unreadable images)

  nlohmann::json to_json() const;  // {store, parts, rows, vectors, shards, skipped}
};

// Checks that `parts` are complete, undamaged (SHA-256 of every shard) and agree (model, dataset,
// hooks, dtype, positions, source, langs, limit, batch, shard size, part count), and that their
// part numbers are each of 0..N-1 once; then writes the merged store to `out`. The store is built
// in a hidden folder beside `out` and renamed into place, so a failed or killed merge leaves no
// store behind. Throws InputError naming the part and the difference, or when `out` exists.
MergeSummary merge_stores(const std::vector<std::filesystem::path>& parts, const std::filesystem::path& out);

}  // namespace loupe::store
