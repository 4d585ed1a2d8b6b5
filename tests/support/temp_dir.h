// Test helpers shared by every test file: a temporary folder removed at the end of the test, the
// number of lines of a file, and the message of the exception a call throws.
#pragma once
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

namespace loupe::test {

struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& prefix = "loupe-test") {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    path = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path / name).string(); }
  std::string write(const std::string& name, const std::string& bytes) const {
    const std::string target = file(name);
    std::ofstream(target, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
    return target;
  }
};

// The lines of a text file (0 when it cannot be read).
inline int64_t line_count(const std::string& path) {
  std::ifstream in(path);
  int64_t lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  return lines;
}

// The what() of the `Error` that `call` throws; fails the test when it throws nothing.
template <class Error, class Call>
std::string message_of(Call call) {
  try {
    call();
  } catch (const Error& error) {
    return error.what();
  }
  FAIL("no exception was thrown");
  return "";
}

}  // namespace loupe::test
