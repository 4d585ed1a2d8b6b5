// SHA-256 checksums of the files a run reads, for runs.jsonl and the report (docs/store.md#runs).
// A file is hashed once per (size, modification time): the answers are kept in W/checksums.json, so
// a 9 GB checkpoint costs its minute once, not at every run. Torch-free (part of loupe_base).
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace loupe::workspace {

constexpr const char* kChecksumsFileName = "checksums.json";

struct FileChecksum {
  uintmax_t bytes = 0;
  std::string sha256;  // 64 lower-case hex digits
};

class ChecksumCache {
 public:
  // Reads `file` when it exists; a cache that is missing or not the expected JSON starts empty
  // (it is only a cache: every answer can be computed again).
  explicit ChecksumCache(std::filesystem::path file);

  // The file's size and SHA-256, from the cache when its size and modification time are those
  // recorded, else hashed now. Throws IoError when the file cannot be read.
  FileChecksum checksum(const std::filesystem::path& path);
  // Writes the cache back (atomically) when a checksum was computed since it was read.
  // Throws IoError.
  void save() const;

 private:
  std::filesystem::path file_;
  nlohmann::json entries_ = nlohmann::json::object();  // absolute path -> {bytes, mtime_ns, sha256}
  bool changed_ = false;
};

}  // namespace loupe::workspace
