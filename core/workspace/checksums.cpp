#include "core/workspace/checksums.h"

#include <system_error>

#include "core/error.h"
#include "core/store/sha256.h"
#include "core/util/atomic_file.h"

namespace loupe::workspace {

namespace fs = std::filesystem;

ChecksumCache::ChecksumCache(fs::path file) : file_(std::move(file)) {
  std::error_code error;
  if (!fs::is_regular_file(file_, error)) return;
  try {
    const nlohmann::json cached = nlohmann::json::parse(util::read_file(file_.string()), nullptr, false);
    if (cached.is_object()) entries_ = cached;
  } catch (const IoError&) {
  }
}

FileChecksum ChecksumCache::checksum(const fs::path& path) {
  const std::string key = fs::absolute(path).lexically_normal().string();
  std::error_code error;
  const uintmax_t bytes = fs::file_size(path, error);
  if (error) throw IoError("cannot read " + key + ": " + error.message());
  const int64_t mtime_ns = int64_t(fs::last_write_time(path, error).time_since_epoch().count());
  if (error) throw IoError("cannot read " + key + ": " + error.message());
  const auto cached = entries_.find(key);
  if (cached != entries_.end() && cached->is_object() && cached->value("bytes", uintmax_t(0)) == bytes &&
      cached->value("mtime_ns", int64_t(0)) == mtime_ns) {
    const std::string sha256 = cached->value("sha256", std::string());
    if (sha256.size() == 64) return {bytes, sha256};
  }
  const FileChecksum computed{bytes, store::sha256_file(key)};
  entries_[key] = {{"bytes", bytes}, {"mtime_ns", mtime_ns}, {"sha256", computed.sha256}};
  changed_ = true;
  return computed;
}

void ChecksumCache::save() const {
  if (changed_) util::write_file_atomic(file_.string(), entries_.dump(1) + "\n");
}

}  // namespace loupe::workspace
