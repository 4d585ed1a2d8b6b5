// safetensors files: a memory-mapped reader (single files and sharded checkpoints) and an atomic
// writer. Torch-free: tensors are views of the mapping (core/tensor/convert.h makes torch tensors).
// Format: 8-byte little-endian header length N, N bytes of JSON {name: {dtype, shape,
// data_offsets: [begin, end]}, "__metadata__": {str: str}}, then the data block.
// Limits on reading: the header at most 100 MB (the format's own) and 64 JSON levels deep
// (core/util/json_fields.h), shapes at most 32 dimensions whose byte count fits in 64 bits (checked
// before anything is multiplied out) and matches data_offsets, metadata values strings only.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace loupe::io {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

const char* dtype_name(DType dtype);  // "F32", ...
size_t dtype_size(DType dtype);

// A tensor inside a mapped file. `data` stays valid while the SafeTensors that gave it is alive.
struct TensorView {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  const uint8_t* data = nullptr;
  size_t nbytes = 0;
  std::string file;                  // the file it lives in (shards differ)
  std::shared_ptr<const void> owner;  // keeps the file mapped while this view (or a copy) lives

  int64_t numel() const;
};

class SafeTensors {
 public:
  // `path`: a .safetensors file, a model.safetensors.index.json, or a folder holding
  // model.safetensors or model.safetensors.index.json. Throws IoError / FormatError naming the file.
  static SafeTensors open(const std::string& path);

  bool contains(const std::string& name) const;
  const TensorView& at(const std::string& name) const;  // throws InputError naming the file
  std::vector<std::string> names() const;               // sorted
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  // Tells the kernel it may drop the pages of this tensor (after a copy was taken), so that loading
  // never holds the file's pages and the converted weights at once.
  void release(const std::string& name) const;

 private:
  std::map<std::string, TensorView> tensors_;
  std::map<std::string, std::string> metadata_;
  std::string source_;
};

// Element values of an F32/F16/BF16/F64 tensor as float (for torch-free code and tests).
std::vector<float> to_floats(const TensorView& view);

// A tensor to write: `data` holds nbytes = numel * dtype_size bytes in little-endian order.
struct TensorData {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  const void* data = nullptr;
  size_t nbytes = 0;
};

// Writes atomically (temporary file + rename). Throws InputError for duplicate names or a byte count
// that does not match the shape, IoError when the disk refuses.
void write_safetensors(const std::string& path, const std::vector<TensorData>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace loupe::io
