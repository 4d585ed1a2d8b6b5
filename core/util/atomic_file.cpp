#include "core/util/atomic_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace loupe::util {

namespace {
std::string os_error() { return std::strerror(errno); }
}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  temp_path_ = path_ + ".tmp-" + std::to_string(::getpid());
  file_ = std::fopen(temp_path_.c_str(), "wb");
  if (!file_) throw IoError("cannot create " + temp_path_ + ": " + os_error());
}

AtomicFile::~AtomicFile() {
  if (file_) {
    std::fclose(file_);
    std::remove(temp_path_.c_str());
  }
}

void AtomicFile::write(const void* data, size_t bytes) {
  if (!file_) throw IoError("write to " + path_ + " after commit");
  if (bytes && std::fwrite(data, 1, bytes, file_) != bytes)
    throw IoError("cannot write " + path_ + ": " + os_error());
}

void AtomicFile::commit() {
  if (!file_) throw IoError("commit of " + path_ + " twice");
  bool ok = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  std::string reason = ok ? "" : os_error();
  ok = (std::fclose(file_) == 0) && ok;
  file_ = nullptr;
  if (!ok) {
    std::remove(temp_path_.c_str());
    throw IoError("cannot write " + path_ + ": " + (reason.empty() ? os_error() : reason));
  }
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    reason = os_error();
    std::remove(temp_path_.c_str());
    throw IoError("cannot rename " + temp_path_ + " to " + path_ + ": " + reason);
  }
}

void write_file_atomic(const std::string& path, std::string_view bytes) {
  AtomicFile file(path);
  file.write(bytes);
  file.commit();
}

std::string read_file(const std::string& path) {
  std::error_code error;
  // A folder opens as a stream on Linux, and reading it fails with a bare allocation error.
  if (std::filesystem::is_directory(path, error)) throw IoError("cannot read " + path + ": it is a folder, not a file");
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw IoError("cannot open " + path + ": " + os_error());
  const std::streamoff size = in.tellg();
  in.seekg(0);
  std::string bytes;
  if (size > 0) {  // one allocation of the file's size (tokenizer.json files reach 33 MB)
    bytes.resize(size_t(size));
    in.read(bytes.data(), size);
    if (in.gcount() != size) throw IoError("cannot read " + path + ": it changed size while being read");
  } else {  // files that report no size (/proc, pipes)
    std::ostringstream content;
    content << in.rdbuf();
    bytes = content.str();
  }
  if (in.bad()) throw IoError("cannot read " + path);
  return bytes;
}

void create_folders(const std::filesystem::path& folder, const std::string& what) {
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error || !std::filesystem::is_directory(folder))
    throw IoError("cannot create " + what + " " + folder.string() + ": " + (error ? error.message() : "a file of that name is in the way"));
}

}  // namespace loupe::util
