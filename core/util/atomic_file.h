// Files are written to a temporary name beside the target and renamed into place, so a crash or a
// full disk never leaves a half-written file under the final name.
#pragma once
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

namespace loupe::util {

// Streams bytes into `path` atomically: nothing appears under `path` until commit() succeeds.
// Destroying an uncommitted AtomicFile removes the temporary file.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, size_t bytes);  // throws IoError (e.g. disk full) naming the path
  void write(std::string_view text) { write(text.data(), text.size()); }
  void commit();  // flush, fsync, rename; throws IoError

 private:
  std::string path_;
  std::string temp_path_;
  std::FILE* file_ = nullptr;
};

void write_file_atomic(const std::string& path, std::string_view bytes);
std::string read_file(const std::string& path);  // throws IoError naming the path
// Creates `folder` and its parents; IoError "cannot create WHAT FOLDER: why" (a file in the way too).
void create_folders(const std::filesystem::path& folder, const std::string& what = "folder");

}  // namespace loupe::util
