// safetensors headers that must be refused with a clear FormatError naming the file (issue 21):
// JSON nested a million deep (a stack overflow in the JSON library before), shapes whose element
// or byte count overflows 64 bits, metadata that is not strings, malformed shard indexes.
#include <catch2/catch.hpp>
#include <string>

#include "core/error.h"
#include "core/io/safetensors.h"
#include "support/temp_dir.h"

using Catch::Matchers::Contains;
using loupe::io::SafeTensors;

namespace {

// A safetensors file: the 8-byte length, `header`, then `data_bytes` zero bytes.
std::string file_bytes(const std::string& header, size_t data_bytes = 0) {
  std::string bytes;
  for (int i = 0; i < 8; ++i) bytes += char((uint64_t(header.size()) >> (8 * i)) & 0xff);
  return bytes + header + std::string(data_bytes, '\0');
}

std::string open_error(const loupe::test::TempDir& folder, const std::string& name, const std::string& bytes) {
  const std::string path = folder.write(name, bytes);
  const std::string message = loupe::test::message_of<loupe::FormatError>([&] { SafeTensors::open(path); });
  CHECK_THAT(message, Contains(path));
  return message;
}

const std::string kDeep = std::string(1000000, '[') + std::string(1000000, ']');

}  // namespace

TEST_CASE("safetensors JSON nested a million deep is a FormatError, in the header and __metadata__",
          "[safetensors][limits]") {
  const loupe::test::TempDir folder("loupe-safetensors-limits");
  CHECK_THAT(open_error(folder, "meta.safetensors", file_bytes(R"({"__metadata__": {"x": )" + kDeep + "}}")),
             Contains("nested deeper than 64"));
  CHECK_THAT(open_error(folder, "top.safetensors", file_bytes(kDeep)), Contains("nested deeper than 64"));
  CHECK_THAT(open_error(folder, "index.json", R"({"weight_map": )" + kDeep + "}"), Contains("nested deeper than 64"));
}

TEST_CASE("safetensors metadata values must be strings", "[safetensors][limits]") {
  const loupe::test::TempDir folder("loupe-safetensors-limits");
  CHECK_THAT(open_error(folder, "meta.safetensors", file_bytes(R"({"__metadata__": {"steps": [1, 2]}})")),
             Contains("`__metadata__`") && Contains("\"steps\" must map to a string, not [1, 2]"));
  CHECK_THAT(open_error(folder, "meta2.safetensors", file_bytes(R"({"__metadata__": 7})")),
             Contains("`__metadata__` must be a JSON object"));
}

TEST_CASE("safetensors shapes whose element or byte count overflows 64 bits are refused", "[safetensors][limits]") {
  const loupe::test::TempDir folder("loupe-safetensors-limits");
  auto header = [](const std::string& shape, const std::string& dtype = "F32") {
    return file_bytes(R"({"w": {"dtype": ")" + dtype + R"(", "shape": )" + shape + R"(, "data_offsets": [0, 0]}})");
  };
  // 2^32 x 2^32 x 0 elements: the partial product 2^64 wraps to 0 before the 0 is reached.
  CHECK_THAT(open_error(folder, "a.safetensors", header("[4294967296, 4294967296, 0]")),
             Contains("tensor \"w\"") && Contains("more than 2^63 elements"));
  // 2^62 elements fit, 2^62 x 8 bytes of F64 do not (they wrapped to 0 and matched data_offsets [0, 0]).
  CHECK_THAT(open_error(folder, "b.safetensors", header("[4611686018427387904]", "F64")),
             Contains("more than 2^64 bytes of F64"));
  CHECK_THAT(open_error(folder, "c.safetensors", header("[18446744073709551615]")),
             Contains("`shape[0]`") && Contains("18446744073709551615"));
  CHECK_THAT(open_error(folder, "d.safetensors", header("[-1]")), Contains("`shape[0]`") && Contains("-1"));
  CHECK_THAT(open_error(folder, "e.safetensors", header("[2.5]")), Contains("`shape[0]` must be an integer"));
  std::string rank33 = "[1";
  for (int i = 1; i < 33; ++i) rank33 += ", 1";
  CHECK_THAT(open_error(folder, "f.safetensors", header(rank33 + "]")), Contains("`shape` lists 33 values; at most 32"));
}

TEST_CASE("safetensors data_offsets and dtype of the wrong type are named", "[safetensors][limits]") {
  const loupe::test::TempDir folder("loupe-safetensors-limits");
  auto entry = [](const std::string& fields) { return file_bytes(R"({"w": {)" + fields + "}}", 8); };
  CHECK_THAT(open_error(folder, "a.safetensors", entry(R"("dtype": 4, "shape": [2], "data_offsets": [0, 8])")),
             Contains("`dtype` must be a string"));
  CHECK_THAT(open_error(folder, "b.safetensors", entry(R"("dtype": "F32", "shape": [2], "data_offsets": [0, 8, 9])")),
             Contains("`data_offsets`"));
  CHECK_THAT(open_error(folder, "c.safetensors", entry(R"("dtype": "F32", "shape": [2], "data_offsets": [-8, 8])")),
             Contains("`data_offsets[0]`"));
  CHECK_THAT(open_error(folder, "d.safetensors", entry(R"("dtype": "F32", "shape": [2])")),
             Contains("`data_offsets` is missing"));
  CHECK_THAT(open_error(folder, "index.json", R"({"weight_map": {"w": 3}})"), Contains("\"w\" must be a file name"));
}
