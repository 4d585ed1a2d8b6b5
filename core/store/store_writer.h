// Writing an activation store shard by shard, so that a killed or failed extraction leaves a
// consistent store that `--resume` continues (format: docs/store.md).
// Commit order per shard: the shard file (temp + rename), its rows appended to rows.jsonl (fsync),
// then manifest.json (temp + rename). The manifest is the truth: a shard it does not list and
// rows.jsonl bytes past its `rows_bytes` are leftovers of an interrupted commit, removed on resume
// and never read.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace loupe::store {

// What an extraction writes; a resumed extraction must ask for the same (else InputError).
struct StoreSpec {
  std::string model;
  std::string dataset;
  std::vector<std::string> hooks;
  std::vector<int64_t> widths;  // d of each hook
  std::string dtype;            // f16 | bf16 | f32
  std::string positions;        // the PositionSelector word (core/text/position_selector.h)
  std::string source;           // caption | generate
  std::vector<std::string> langs;
  int64_t limit = 0;            // dataset rows considered (0: all)
  int64_t units_total = 0;      // (row, lang) work units the extraction will visit
  // Null for a whole extraction. A part (`--shard I/N`, store_parts.h): {index, count, batch,
  // shard_vectors, rows: [first, end) of the dataset rows, dataset_rows}, what a merge checks.
  nlohmann::json part;

  nlohmann::json to_json() const;  // the manifest fields that fix what the store holds (`part` only when set)
};

// The vectors of one (dataset row, language) unit.
struct UnitVectors {
  nlohmann::json meta;                  // its rows.jsonl entry
  std::vector<torch::Tensor> per_hook;  // one [n, d] tensor per hook, in StoreSpec::hooks order, stored dtype, CPU
  std::vector<int64_t> positions;       // [n] token positions (-1 pooled)
  std::vector<int8_t> types;            // [n] TokenType
};

class StoreWriter {
 public:
  // A new store in `folder` (created). Throws InputError when it already holds a manifest
  // ("use --resume or another --out").
  static StoreWriter create(const std::filesystem::path& folder, const StoreSpec& spec, int64_t shard_vectors);
  // Continues the store in `folder`: checks the spec matches and every listed shard's size and
  // checksum (FormatError for a damaged one), removes leftovers of an interrupted commit. InputError
  // when the folder holds no manifest: nothing to resume (a run killed before its first shard
  // starts again without --resume).
  static StoreWriter resume(const std::filesystem::path& folder, const StoreSpec& spec, int64_t shard_vectors);

  int64_t units_done() const { return units_done_; }  // units committed: the extraction restarts here
  int64_t vectors() const { return vectors_; }        // committed vectors
  int64_t rows() const { return rows_; }              // committed rows.jsonl entries
  const nlohmann::json& skipped() const { return skipped_; }

  // Buffers one unit's vectors; commits a shard when the buffer reaches shard_vectors.
  void add(UnitVectors unit);
  // Records a unit that produced nothing (e.g. unreadable image; `reason` says why, null: no note).
  void skip_unit(const nlohmann::json& reason);
  // Commits whatever is buffered and marks the store complete.
  void finish();
  // Commits the buffer as a shard (nothing when the buffer is empty and no unit was counted).
  void commit();

 private:
  void write_manifest(bool complete);
  std::filesystem::path folder_;
  StoreSpec spec_;
  int64_t shard_vectors_ = 0;
  nlohmann::json shards_ = nlohmann::json::array();
  nlohmann::json skipped_ = nlohmann::json::array();
  int64_t units_done_ = 0, vectors_ = 0, rows_ = 0, rows_bytes_ = 0;
  // The buffer: units since the last commit.
  std::vector<UnitVectors> pending_;
  nlohmann::json pending_skipped_ = nlohmann::json::array();
  int64_t pending_units_ = 0, pending_vectors_ = 0;
};

}  // namespace loupe::store
