// The safetensors reader and writer: round trips, shards, and every malformed input named.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/io/safetensors.h"
#include "support/temp_dir.h"

using loupe::io::DType;
using loupe::io::SafeTensors;
namespace fs = std::filesystem;

namespace {

// One scratch folder for the whole run, removed at exit.
std::string temp_file(const std::string& name) {
  static const loupe::test::TempDir scratch("loupe-safetensors");
  return scratch.file(name);
}

// A file with the given header JSON (padded as written) followed by `data_bytes` zero bytes.
std::string raw_file(const std::string& name, const std::string& header, size_t data_bytes, uint64_t declared_length = 0) {
  const std::string path = temp_file(name);
  std::ofstream out(path, std::ios::binary);
  uint64_t length = declared_length ? declared_length : header.size();
  for (int i = 0; i < 8; ++i) out.put(char((length >> (8 * i)) & 0xff));
  out << header << std::string(data_bytes, '\0');
  return path;
}

std::string open_error(const std::string& path) {
  try {
    SafeTensors::open(path);
  } catch (const loupe::Error& error) {
    return error.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("safetensors round trip keeps names, dtypes, shapes, bytes and metadata", "[safetensors]") {
  const std::vector<float> a = {1.5f, -2.f, 3.25f, 0.f, 7.f, 8.f};
  const std::vector<int64_t> b = {1, -2, 3};
  const std::vector<uint16_t> c = {0x3f80, 0xc000};  // bf16 1.0, -2.0
  const std::string path = temp_file("round.safetensors");
  loupe::io::write_safetensors(path,
                               {{"a", DType::F32, {2, 3}, a.data(), a.size() * 4},
                                {"b", DType::I64, {3}, b.data(), b.size() * 8},
                                {"c", DType::BF16, {2}, c.data(), c.size() * 2}},
                               {{"model", "demo"}});
  const auto file = SafeTensors::open(path);
  CHECK(file.names() == std::vector<std::string>{"a", "b", "c"});
  CHECK(file.at("a").shape == std::vector<int64_t>{2, 3});
  CHECK(loupe::io::to_floats(file.at("a")) == a);
  CHECK(std::memcmp(file.at("b").data, b.data(), 24) == 0);
  CHECK(loupe::io::to_floats(file.at("c")) == std::vector<float>{1.f, -2.f});
  CHECK(file.metadata().at("model") == "demo");
  CHECK_FALSE(fs::exists(path + ".tmp-" + std::to_string(::getpid())));
}

TEST_CASE("sharded checkpoints open through model.safetensors.index.json", "[safetensors]") {
  const std::vector<float> one = {1.f}, two = {2.f, 3.f};
  const fs::path dir = fs::path(temp_file("sharded"));
  fs::create_directories(dir);
  loupe::io::write_safetensors((dir / "model-00001-of-00002.safetensors").string(), {{"x", DType::F32, {1}, one.data(), 4}});
  loupe::io::write_safetensors((dir / "model-00002-of-00002.safetensors").string(), {{"y", DType::F32, {2}, two.data(), 8}});
  nlohmann::json index = {{"weight_map", {{"x", "model-00001-of-00002.safetensors"}, {"y", "model-00002-of-00002.safetensors"}}}};
  std::ofstream(dir / "model.safetensors.index.json") << index.dump();
  const auto file = SafeTensors::open(dir.string());
  CHECK(loupe::io::to_floats(file.at("y")) == two);
  CHECK(file.at("x").file.find("00001") != std::string::npos);
  CHECK_THROWS_WITH(file.at("z"), Catch::Contains("has no tensor named 'z'"));
}

TEST_CASE("malformed safetensors files are refused with what is wrong", "[safetensors][errors]") {
  const std::string good = R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  CHECK_THAT(open_error(temp_file("missing.safetensors")), Catch::Contains("cannot open"));
  CHECK_THAT(open_error(raw_file("empty-header.safetensors", "", 0)), Catch::Contains("header: malformed JSON"));
  {
    const std::string path = temp_file("four-bytes.safetensors");
    std::ofstream(path, std::ios::binary) << "abcd";
    CHECK_THAT(open_error(path), Catch::Contains("truncated safetensors file (4 bytes"));
  }
  CHECK_THAT(open_error(raw_file("past-end.safetensors", good, 8, 1000)), Catch::Contains("runs past the end of the file"));
  CHECK_THAT(open_error(raw_file("bad-json.safetensors", "{\"t\": [", 0)), Catch::Contains("header: malformed JSON"));
  CHECK_THAT(open_error(raw_file("truncated-data.safetensors", good, 4)), Catch::Contains("out of range") && Catch::Contains("holds 4 bytes"));
  CHECK_THAT(open_error(raw_file("dtype.safetensors", R"({"t":{"dtype":"F8","shape":[2],"data_offsets":[0,2]}})", 2)),
             Catch::Contains("unknown dtype 'F8'"));
  CHECK_THAT(open_error(raw_file("count.safetensors", R"({"t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8)),
             Catch::Contains("`shape` needs 12 bytes of F32 but `data_offsets` span 8"));
  CHECK_THAT(open_error(raw_file("overlap.safetensors",
                                 R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12)),
             Catch::Contains("tensors overlap"));
  CHECK_THAT(open_error(raw_file("fields.safetensors", R"({"t":{"dtype":"F32","shape":[2]}})", 8)),
             Catch::Contains("`data_offsets` is missing"));
  CHECK_THAT(open_error(raw_file("reversed.safetensors", R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", 8)),
             Catch::Contains("out of range"));
}

TEST_CASE("the writer refuses inconsistent tensors and leaves no file behind", "[safetensors][errors]") {
  const std::vector<float> data = {1.f, 2.f};
  const std::string path = temp_file("refused.safetensors");
  CHECK_THROWS_WITH(loupe::io::write_safetensors(path, {{"t", DType::F32, {3}, data.data(), 8}}),
                    Catch::Contains("has 8 bytes but its shape needs 12"));
  CHECK_THROWS_WITH(loupe::io::write_safetensors(path, {{"t", DType::F32, {2}, data.data(), 8}, {"t", DType::F32, {2}, data.data(), 8}}),
                    Catch::Contains("duplicate or reserved tensor name 't'"));
  CHECK_FALSE(fs::exists(path));
  CHECK_THROWS_AS(loupe::io::write_safetensors("/nonexistent-dir/x.safetensors", {{"t", DType::F32, {2}, data.data(), 8}}),
                  loupe::IoError);
}
