// Reading an activation store (format: docs/store.md): a folder with manifest.json, shards
// shard-NNNNN.safetensors (one tensor [rows, d] per hook, plus row_index and token_position), and
// rows.jsonl (one metadata object per (dataset row, language)). Shards are memory-mapped; nothing is
// loaded until asked for.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/io/safetensors.h"
#include "core/store/store_entries.h"
#include "core/store/store_manifest.h"
#include "core/text/token_type.h"
#include "core/store/store_format.h"
#include "core/util/epoch_order.h"

namespace loupe::store {

class StoreReader {
 public:
  // Reads manifest.json and rows.jsonl and maps every shard. Throws InputError when the folder has no
  // manifest ("not a store, or extraction did not finish a shard yet"), FormatError when the manifest
  // or a shard disagrees with itself (sizes, names, shapes).
  static StoreReader open(const std::filesystem::path& folder);
  // Throws FormatError unless the extraction finished (manifest `complete`) and every shard matches
  // its SHA-256 checksum: what training checks before it reads a store.
  void verify() const;

  int64_t count() const { return count_; }  // activation vectors stored (rows of every hook tensor)
  std::vector<std::string> hooks() const { return hooks_; }
  int64_t width(const std::string& hook) const;  // InputError listing the hooks if absent
  std::string model() const;                     // model path/name recorded at extraction
  std::string dtype() const;                     // stored dtype: "f16", "bf16" or "f32"
  std::string positions() const;                 // the PositionSelector word it was extracted with
  const nlohmann::json& manifest() const { return manifest_; }
  const std::vector<ShardInfo>& shards() const { return shards_; }
  const std::filesystem::path& folder() const { return folder_; }

  // Vectors [begin, end) of one hook, across shards: [end-begin, d] float32 (a copy).
  torch::Tensor read(const std::string& hook, int64_t begin, int64_t end) const;
  // Same, in the stored dtype, without conversion (for bit-exact comparisons).
  torch::Tensor read_raw(const std::string& hook, int64_t begin, int64_t end) const;
  // Vectors at arbitrary global indices: [n, d] float32 (gathers from the mapped shards).
  torch::Tensor gather(const std::string& hook, const std::vector<int64_t>& indices) const;
  torch::Tensor row_index(int64_t begin, int64_t end) const;       // [n] int64: rows.jsonl entry of each vector
  torch::Tensor token_position(int64_t begin, int64_t end) const;  // [n] int64 (-1 for pooled vectors)
  torch::Tensor token_type(int64_t begin, int64_t end) const;      // [n] int8 TokenType: 0 text, 1 image, 2 template

  // rows.jsonl: one entry per (dataset row, language), as typed columns.
  const StoreEntries& entries() const { return entries_; }

 private:
  torch::Tensor slice(const std::string& tensor, int64_t begin, int64_t end) const;  // stored dtype
  size_t shard_of(int64_t index) const;

  std::filesystem::path folder_;
  nlohmann::json manifest_;
  std::vector<ShardInfo> shards_;
  std::vector<io::SafeTensors> files_;  // mapped, one per shard
  std::vector<std::string> hooks_;
  std::vector<int64_t> widths_;
  StoreEntries entries_;
  int64_t version_ = kStoreVersion;
  int64_t count_ = 0;
  bool complete_ = false;
};

// The first `count` lines of the store's rows.jsonl, reading only its first `bytes` (the manifest's
// `rows` and `rows_bytes`). Throws FormatError when the file is shorter or holds another count.
std::vector<std::string> committed_row_lines(const std::filesystem::path& folder, int64_t count, int64_t bytes);

// Shuffled mini-batches across shards without loading the store; deterministic for a seed. The
// store must outlive the stream. Each epoch is a fresh permutation of all vectors; a batch never straddles two epochs (the tail of
// an epoch that does not fill a batch is dropped, so every batch has batch_size rows).
class BatchStream {
 public:
  // Throws InputError when batch_size < 1 or the store holds fewer than batch_size vectors.
  BatchStream(const StoreReader& store, std::string hook, int64_t batch_size, uint64_t seed);
  torch::Tensor next();        // [batch_size, d] float32; a new permutation each epoch
  void skip(int64_t batches);  // as if next() had been called `batches` times (for resume)
  int64_t batches_served() const { return served_; }
  int64_t batches_per_epoch() const { return store_->count() / batch_size_; }
  int64_t epoch() const { return (served_ - 1) / batches_per_epoch(); }  // of the last batch served

 private:
  const StoreReader* store_;
  std::string hook_;
  int64_t batch_size_;
  util::EpochOrder order_;
  int64_t served_ = 0;
};

}  // namespace loupe::store
