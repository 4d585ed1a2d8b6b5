// A scratch folder for fuzz targets whose readers take a path: each input is written to a file in
// one folder per process (under /dev/shm when it exists, so nothing touches the disk), removed at
// exit.
#pragma once
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace loupe::fuzz {

class Scratch {
 public:
  Scratch() {
    const std::filesystem::path base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    std::string pattern = (base / "loupe-fuzz-XXXXXX").string();
    root_ = mkdtemp(pattern.data());
  }
  ~Scratch() {
    std::error_code error;
    std::filesystem::remove_all(root_, error);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  const std::filesystem::path& root() const { return root_; }
  // A sub-folder of the scratch folder, made on first use.
  std::filesystem::path folder(const std::string& name) const {
    const std::filesystem::path path = root_ / name;
    std::filesystem::create_directories(path);
    return path;
  }
  // Writes `size` bytes to `path` (replacing it) and returns it as a string.
  static std::string write(const std::filesystem::path& path, const uint8_t* data, size_t size) {
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), std::streamsize(size));
    return path.string();
  }

 private:
  std::filesystem::path root_;
};

// The scratch folder of this process.
inline const Scratch& scratch() {
  static const Scratch instance;
  return instance;
}

}  // namespace loupe::fuzz
