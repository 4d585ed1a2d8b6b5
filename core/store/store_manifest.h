// An activation store's manifest.json as typed fields (format: docs/store.md), and the check of a
// shard file against what the manifest lists. Torch-free (part of loupe_base), so the fuzzers read
// manifests the way StoreReader and a resume do.
#pragma once
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace loupe::store {

// One shard as the manifest lists it.
struct ShardInfo {
  std::string file;        // "shard-00000.safetensors", relative to the store folder
  int64_t vectors = 0;     // activation vectors (rows of each hook tensor)
  int64_t first = 0;       // global index of its first vector
  int64_t bytes = 0;       // file size
  std::string sha256;      // hex checksum of the file
};

struct StoreManifest {
  int64_t version = 0;
  std::vector<std::string> hooks;
  std::vector<int64_t> widths;  // of each hook
  std::vector<ShardInfo> shards;
  int64_t count = 0;       // vectors in all shards
  int64_t rows = 0;        // committed rows.jsonl entries
  int64_t rows_bytes = 0;  // their bytes
  bool complete = false;   // the extraction finished every (row, language) unit
};

// Reads a parsed manifest.json (`where` names the file in errors). Throws FormatError when it is not
// a loupe store manifest or a field has the wrong type or an impossible value, naming the field.
// Shard i must be named shard_name(i), so no listed file lies outside the store folder.
StoreManifest parse_store_manifest(const nlohmann::json& manifest, const std::string& where);

// Throws FormatError naming the file when it is missing or its size differs from the manifest's;
// with `checksum`, also when its SHA-256 differs (a copy cut short or changed since extraction).
void check_shard_file(const std::filesystem::path& folder, const ShardInfo& shard, bool checksum);

}  // namespace loupe::store
