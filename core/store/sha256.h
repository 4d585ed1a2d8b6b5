// SHA-256 (FIPS 180-4) of a file, for the shard checksums of activation stores (the same digest as
// Python's hashlib.sha256, so a store can be checked without loupe).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace loupe::store {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t bytes);
  std::string hex();  // finishes the digest: 64 lower-case hex digits

 private:
  void block(const uint8_t* chunk);
  uint32_t state_[8];
  uint8_t buffer_[64];
  size_t buffered_ = 0;
  uint64_t length_ = 0;  // bytes hashed
};

// Hex SHA-256 of a file's bytes; throws IoError naming the file.
std::string sha256_file(const std::string& path);

}  // namespace loupe::store
