// Fuzzes the safetensors reader: the input as a .safetensors file (header length, JSON header,
// offsets, shapes, metadata, then every float tensor read back) and as a shard index
// (model.safetensors.index.json naming shards in the same folder). Any loupe::Error is a clean
// refusal; a crash, a leak or undefined behaviour is a finding.
#include <cstdint>
#include <cstring>

#include "core/error.h"
#include "core/io/safetensors.h"
#include "fuzz_scratch.h"

namespace {

constexpr int64_t kMaxFloatsRead = 1 << 16;  // read back small tensors only: speed, not coverage

void read_all(const loupe::io::SafeTensors& file) {
  for (const std::string& name : file.names()) {
    const loupe::io::TensorView& view = file.at(name);
    const bool floating = view.dtype == loupe::io::DType::F32 || view.dtype == loupe::io::DType::F16 ||
                          view.dtype == loupe::io::DType::BF16 || view.dtype == loupe::io::DType::F64;
    if (floating && view.numel() <= kMaxFloatsRead) loupe::io::to_floats(view);
    file.release(name);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& scratch = loupe::fuzz::scratch();
  const auto folder = scratch.folder("safetensors");
  try {
    read_all(loupe::io::SafeTensors::open(loupe::fuzz::Scratch::write(folder / "model.safetensors", data, size)));
  } catch (const loupe::Error&) {
  }
  // As an index, the input names shards by path; only names inside the folder are tried, so that
  // a mutation never opens a file elsewhere on the machine.
  if (std::memchr(data, '/', size) == nullptr) {
    try {
      read_all(loupe::io::SafeTensors::open(
          loupe::fuzz::Scratch::write(folder / "model.safetensors.index.json", data, size)));
    } catch (const loupe::Error&) {
    }
  }
  return 0;
}
