#include "core/io/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/util/atomic_file.h"
#include "core/util/json_fields.h"

namespace loupe::io {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct DTypeInfo {
  DType dtype;
  const char* name;
  size_t size;
};
constexpr DTypeInfo kDTypes[] = {
    {DType::F64, "F64", 8}, {DType::F32, "F32", 4}, {DType::F16, "F16", 2}, {DType::BF16, "BF16", 2},
    {DType::I64, "I64", 8}, {DType::I32, "I32", 4}, {DType::I16, "I16", 2}, {DType::I8, "I8", 1},
    {DType::U8, "U8", 1},   {DType::BOOL, "BOOL", 1},
};

constexpr uint64_t kMaxHeaderBytes = 100u << 20;  // the format's own limit is 100 MB
constexpr size_t kMaxRank = 32;                    // dimensions of a shape (checkpoints use at most 4)

// One read-only mapping of a whole file; unmapped when the last view holding it goes away.
struct MappedFile {
  const uint8_t* base = nullptr;
  size_t size = 0;

  explicit MappedFile(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw IoError("cannot open " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      throw IoError("cannot read " + path + ": not a regular file");
    }
    size = size_t(st.st_size);
    if (size > 0) {
      void* address = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
      if (address == MAP_FAILED) {
        ::close(fd);
        throw IoError("cannot map " + path + ": " + std::strerror(errno));
      }
      base = static_cast<const uint8_t*>(address);
    }
    ::close(fd);
  }
  ~MappedFile() {
    if (base) ::munmap(const_cast<uint8_t*>(base), size);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
};

DType parse_dtype(const std::string& name, const std::string& where) {
  for (const auto& info : kDTypes)
    if (name == info.name) return info.dtype;
  throw FormatError(where + ": unknown dtype '" + name + "' (supported: F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL)");
}

uint64_t read_u64_le(const uint8_t* bytes) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | bytes[i];
  return value;
}

// The number of bytes `shape` of `dtype` needs; FormatError when a partial product of the shape
// (or the byte count) overflows 64 bits, so a hostile shape can never wrap into a small count.
uint64_t shape_bytes(const std::vector<int64_t>& shape, DType dtype, const util::JsonFields& entry) {
  int64_t elements = 1;
  for (int64_t dim : shape)
    if (__builtin_mul_overflow(elements, dim, &elements))
      entry.fail("`shape` holds more than 2^63 elements");
  uint64_t bytes = 0;
  if (__builtin_mul_overflow(uint64_t(elements), uint64_t(dtype_size(dtype)), &bytes))
    entry.fail("`shape` needs more than 2^64 bytes of " + std::string(dtype_name(dtype)));
  return bytes;
}

// One tensor's entry of the header: {dtype, shape, data_offsets}, checked against the data block.
// `data` is the start of the data block, `data_bytes` its size.
TensorView read_entry(const std::string& name, const json& value, const std::string& path, const uint8_t* data,
                      uint64_t data_bytes) {
  const util::JsonFields entry(value, path + ": tensor " + util::describe_json(name));
  TensorView view;
  view.name = name;
  view.file = path;
  view.dtype = parse_dtype(entry.string("dtype"), entry.where());
  view.shape = entry.integer_list("shape", 0, std::numeric_limits<int64_t>::max(), kMaxRank);
  const std::vector<int64_t> offsets = entry.integer_list("data_offsets", 0, std::numeric_limits<int64_t>::max(), 2);
  if (offsets.size() != 2) entry.fail("`data_offsets` must hold [begin, end]");
  const uint64_t begin = uint64_t(offsets[0]), end = uint64_t(offsets[1]);
  if (begin > end || end > data_bytes)
    entry.fail("`data_offsets` [" + std::to_string(begin) + ", " + std::to_string(end) +
               "] are out of range (data block holds " + std::to_string(data_bytes) + " bytes)");
  const uint64_t expected = shape_bytes(view.shape, view.dtype, entry);
  if (expected != end - begin)
    entry.fail("`shape` needs " + std::to_string(expected) + " bytes of " + dtype_name(view.dtype) +
               " but `data_offsets` span " + std::to_string(end - begin));
  view.data = data + begin;
  view.nbytes = end - begin;
  return view;
}

// Parses one file's header and adds its tensors; checks every offset against the data block.
void read_file(const std::string& path, std::map<std::string, TensorView>& tensors,
               std::map<std::string, std::string>& metadata) {
  auto file = std::make_shared<MappedFile>(path);
  if (file->size < 8) throw FormatError(path + ": truncated safetensors file (" + std::to_string(file->size) + " bytes, no header length)");
  const uint64_t header_bytes = read_u64_le(file->base);
  if (header_bytes > kMaxHeaderBytes || header_bytes > file->size - 8)
    throw FormatError(path + ": header length " + std::to_string(header_bytes) + " runs past the end of the file (" +
                      std::to_string(file->size) + " bytes) or the format's 100 MB limit; the file is truncated "
                      "or not safetensors");
  const std::string_view header_text(reinterpret_cast<const char*>(file->base + 8), header_bytes);
  const json header = util::parse_json_text(header_text, path + ": header");
  if (!header.is_object()) throw FormatError(path + ": header is not a JSON object");
  const uint8_t* data = file->base + 8 + header_bytes;
  const uint64_t data_bytes = file->size - 8 - header_bytes;

  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      const util::JsonFields fields(entry, path + ": `__metadata__`");
      for (auto& [key, value] : entry.items()) {
        if (!value.is_string())
          fields.fail(util::describe_json(key) + " must map to a string, not " + util::describe_json(value));
        metadata[key] = value.get<std::string>();
      }
      continue;
    }
    TensorView view = read_entry(name, entry, path, data, data_bytes);
    view.owner = file;
    const uint64_t begin = uint64_t(view.data - data);
    ranges.emplace_back(begin, begin + view.nbytes);
    if (tensors.count(name))
      throw FormatError(path + ": tensor " + util::describe_json(name) + " appears in more than one file");
    tensors.emplace(name, std::move(view));
  }
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i)
    if (ranges[i].first < ranges[i - 1].second)
      throw FormatError(path + ": tensors overlap in the data block (offsets " + std::to_string(ranges[i].first) +
                        " < " + std::to_string(ranges[i - 1].second) + ")");
}

std::vector<std::string> shard_files(const std::string& index_path) {
  const json index = util::parse_json_file(index_path);
  const util::JsonFields fields(index, index_path);
  const util::JsonFields weight_map = fields.object("weight_map");
  std::vector<std::string> files;
  const fs::path folder = fs::path(index_path).parent_path();
  for (auto& [name, shard] : weight_map.json().items()) {
    if (!shard.is_string())
      weight_map.fail("the entry for " + util::describe_json(name) + " must be a file name, not " +
                      util::describe_json(shard));
    std::string file = (folder / shard.get<std::string>()).string();
    if (std::find(files.begin(), files.end(), file) == files.end()) files.push_back(file);
  }
  return files;
}

}  // namespace

const char* dtype_name(DType dtype) {
  for (const auto& info : kDTypes)
    if (info.dtype == dtype) return info.name;
  return "?";
}

size_t dtype_size(DType dtype) {
  for (const auto& info : kDTypes)
    if (info.dtype == dtype) return info.size;
  return 0;
}

int64_t TensorView::numel() const {
  int64_t count = 1;
  for (int64_t dim : shape) count *= dim;
  return count;
}

SafeTensors SafeTensors::open(const std::string& path) {
  SafeTensors result;
  result.source_ = path;
  std::vector<std::string> files;
  if (fs::is_directory(path)) {
    const fs::path single = fs::path(path) / "model.safetensors";
    const fs::path index = fs::path(path) / "model.safetensors.index.json";
    if (fs::exists(single)) {
      files.push_back(single.string());
    } else if (fs::exists(index)) {
      files = shard_files(index.string());
    } else {
      throw IoError(path + " holds neither model.safetensors nor model.safetensors.index.json");
    }
  } else if (path.size() > 5 && path.substr(path.size() - 5) == ".json") {
    files = shard_files(path);
  } else {
    files.push_back(path);
  }
  for (const auto& file : files) read_file(file, result.tensors_, result.metadata_);
  return result;
}

bool SafeTensors::contains(const std::string& name) const { return tensors_.count(name) > 0; }

const TensorView& SafeTensors::at(const std::string& name) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) throw InputError(source_ + " has no tensor named '" + name + "'");
  return it->second;
}

std::vector<std::string> SafeTensors::names() const {
  std::vector<std::string> names;
  for (const auto& entry : tensors_) names.push_back(entry.first);
  return names;
}

void SafeTensors::release(const std::string& name) const {
  const TensorView& view = at(name);
  const long page = ::sysconf(_SC_PAGESIZE);
  // Only whole pages inside the tensor: neighbours may still be needed.
  uintptr_t begin = (reinterpret_cast<uintptr_t>(view.data) + page - 1) / page * page;
  uintptr_t end = (reinterpret_cast<uintptr_t>(view.data) + view.nbytes) / page * page;
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

namespace {
float half_to_float(uint16_t half) {
  const uint32_t sign = uint32_t(half & 0x8000) << 16;
  uint32_t exponent = (half >> 10) & 0x1f, mantissa = half & 0x3ff, bits;
  if (exponent == 0) {
    if (mantissa == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      exponent = 127 - 15 + 1;
      while (!(mantissa & 0x400)) {
        mantissa <<= 1;
        --exponent;
      }
      bits = sign | (exponent << 23) | ((mantissa & 0x3ff) << 13);
    }
  } else if (exponent == 31) {
    bits = sign | 0x7f800000 | (mantissa << 13);
  } else {
    bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
  }
  float value;
  std::memcpy(&value, &bits, 4);
  return value;
}
}  // namespace

std::vector<float> to_floats(const TensorView& view) {
  const int64_t count = view.numel();
  std::vector<float> values(size_t(count), 0.f);
  for (int64_t i = 0; i < count; ++i) {
    const uint8_t* element = view.data + i * dtype_size(view.dtype);
    switch (view.dtype) {
      case DType::F32: std::memcpy(&values[i], element, 4); break;
      case DType::F64: {
        double value;
        std::memcpy(&value, element, 8);
        values[i] = float(value);
        break;
      }
      case DType::F16: {
        uint16_t half;
        std::memcpy(&half, element, 2);
        values[i] = half_to_float(half);
        break;
      }
      case DType::BF16: {
        uint32_t bits = uint32_t(element[0] | (element[1] << 8)) << 16;
        std::memcpy(&values[i], &bits, 4);
        break;
      }
      default:
        throw InputError(view.file + ": tensor '" + view.name + "' is " + dtype_name(view.dtype) +
                         ", not a floating-point tensor");
    }
  }
  return values;
}

void write_safetensors(const std::string& path, const std::vector<TensorData>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& tensor : tensors) {
    if (tensor.name == "__metadata__" || header.contains(tensor.name))
      throw InputError("write_safetensors(" + path + "): duplicate or reserved tensor name '" + tensor.name + "'");
    uint64_t count = 1;
    for (int64_t dim : tensor.shape) {
      if (dim < 0) throw InputError("write_safetensors(" + path + "): negative dimension in '" + tensor.name + "'");
      count *= uint64_t(dim);
    }
    if (count * dtype_size(tensor.dtype) != tensor.nbytes)
      throw InputError("write_safetensors(" + path + "): tensor '" + tensor.name + "' has " +
                       std::to_string(tensor.nbytes) + " bytes but its shape needs " +
                       std::to_string(count * dtype_size(tensor.dtype)));
    header[tensor.name] = {{"dtype", dtype_name(tensor.dtype)},
                           {"shape", tensor.shape},
                           {"data_offsets", {offset, offset + tensor.nbytes}}};
    offset += tensor.nbytes;
  }
  std::string header_text = header.dump();
  header_text.append((8 - header_text.size() % 8) % 8, ' ');  // align the data block to 8 bytes
  uint8_t length[8];
  for (int i = 0; i < 8; ++i) length[i] = uint8_t(uint64_t(header_text.size()) >> (8 * i));

  util::AtomicFile file(path);
  file.write(length, 8);
  file.write(header_text);
  // Data in header order: nlohmann::json sorts keys, so write in the offsets we assigned (input order).
  for (const auto& tensor : tensors) file.write(tensor.data, tensor.nbytes);
  file.commit();
}

}  // namespace loupe::io
