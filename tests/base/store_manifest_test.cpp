// A store's manifest.json read by its torch-free parser (issue 21): fields typed and bounded, shard
// files only by their own names (never a path out of the store), `complete` read, and a shard file
// checked against its size and SHA-256.
#include <catch2/catch.hpp>

#include "core/error.h"
#include "core/store/sha256.h"
#include "core/store/store_format.h"
#include "core/store/store_manifest.h"
#include "support/temp_dir.h"

using Catch::Matchers::Contains;
using loupe::test::message_of;
namespace store = loupe::store;

namespace {

nlohmann::json manifest_with(const nlohmann::json& shards) {
  return {{"format", store::kStoreFormat}, {"version", store::kStoreVersion}, {"rows", 2}, {"rows_bytes", 40},
          {"complete", true}, {"hooks", {{{"name", "blocks.0.hook_resid_post"}, {"width", 4}}}}, {"shards", shards}};
}

}  // namespace

TEST_CASE("a manifest reads into typed fields and refuses shard names that are not its own", "[store]") {
  const nlohmann::json shards = {{{"file", "shard-00000.safetensors"}, {"vectors", 3}, {"bytes", 10}, {"sha256", "ab"}},
                                 {{"file", "shard-00001.safetensors"}, {"vectors", 2}, {"bytes", 12}, {"sha256", "cd"}}};
  const store::StoreManifest manifest = store::parse_store_manifest(manifest_with(shards), "manifest.json");
  CHECK(manifest.count == 5);
  CHECK(manifest.shards[1].first == 3);
  CHECK(manifest.complete);
  CHECK(manifest.hooks == std::vector<std::string>{"blocks.0.hook_resid_post"});

  for (const std::string name : {"../../etc/passwd", "/etc/passwd", "shard-00001.safetensors"}) {
    INFO(name);
    nlohmann::json bad = shards;
    bad[0]["file"] = name;
    CHECK_THAT(message_of<loupe::FormatError>([&] { store::parse_store_manifest(manifest_with(bad), "manifest.json"); }),
               Contains("manifest.json") && Contains("`file` must be shard-00000.safetensors"));
  }
  nlohmann::json other = manifest_with(shards);
  other["format"] = "something.else";
  CHECK_THAT(message_of<loupe::FormatError>([&] { store::parse_store_manifest(other, "manifest.json"); }),
             Contains("not a loupe activation store manifest"));
  other = manifest_with(shards);
  other.erase("complete");  // absent: not complete
  CHECK_FALSE(store::parse_store_manifest(other, "manifest.json").complete);
}

TEST_CASE("a shard file cut short or changed since extraction is named", "[store]") {
  const loupe::test::TempDir dir;
  const std::string path = dir.write("shard-00000.safetensors", "0123456789");
  store::ShardInfo shard{"shard-00000.safetensors", 1, 0, 10, store::sha256_file(path)};
  store::check_shard_file(dir.path, shard, true);
  dir.write("shard-00000.safetensors", "01234");
  CHECK_THAT(message_of<loupe::FormatError>([&] { store::check_shard_file(dir.path, shard, false); }),
             Contains(path) && Contains("has 5 bytes; the manifest says 10"));
  dir.write("shard-00000.safetensors", "0123456780");
  store::check_shard_file(dir.path, shard, false);  // the size alone matches
  CHECK_THAT(message_of<loupe::FormatError>([&] { store::check_shard_file(dir.path, shard, true); }),
             Contains(path) && Contains("SHA-256"));
  std::filesystem::remove(path);
  CHECK_THAT(message_of<loupe::FormatError>([&] { store::check_shard_file(dir.path, shard, true); }),
             Contains("is missing"));
}
