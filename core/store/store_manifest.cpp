#include "core/store/store_manifest.h"

#include <cstdio>

#include "core/error.h"
#include "core/store/sha256.h"
#include "core/store/store_format.h"
#include "core/util/json_fields.h"

namespace loupe::store {

std::string shard_name(int64_t index) {
  char name[48];  // room for any int64 index
  std::snprintf(name, sizeof name, "shard-%05lld.safetensors", static_cast<long long>(index));
  return name;
}

StoreManifest parse_store_manifest(const nlohmann::json& json, const std::string& where) {
  const util::JsonFields fields(json, where);
  if (fields.string("format", "") != kStoreFormat)
    fields.fail(std::string("not a loupe activation store manifest (`format` must be \"") + kStoreFormat + "\")");
  for (const char* key : {"model", "dtype", "positions"}) fields.string(key, "");  // read by StoreReader's accessors
  StoreManifest manifest;
  manifest.version = fields.integer_in("version", 1, kStoreVersion, "(a newer loupe wrote this store)");
  for (const util::JsonFields& hook : fields.objects("hooks")) {
    manifest.hooks.push_back(hook.string("name"));
    manifest.widths.push_back(hook.integer_in("width", 1, kMaxManifestCount));
  }
  for (const util::JsonFields& entry : fields.objects("shards")) {
    ShardInfo shard;
    shard.file = entry.string("file");
    if (shard.file != shard_name(int64_t(manifest.shards.size())))
      entry.fail("`file` must be " + shard_name(int64_t(manifest.shards.size())) + ", not " +
                 util::describe_json(entry.value("file")));
    shard.vectors = entry.integer_in("vectors", 0, kMaxManifestCount);
    shard.bytes = entry.integer_in("bytes", 0, kMaxManifestCount);
    shard.sha256 = entry.string("sha256");
    shard.first = manifest.count;
    manifest.count += shard.vectors;
    if (manifest.count > kMaxManifestCount)
      entry.fail("the shards hold more than " + std::to_string(kMaxManifestCount) + " vectors");
    manifest.shards.push_back(shard);
  }
  manifest.rows = fields.integer_in("rows", 0, kMaxManifestCount);
  manifest.rows_bytes = fields.integer_in("rows_bytes", 0, kMaxManifestCount);
  manifest.complete = fields.boolean("complete", false);
  return manifest;
}

void check_shard_file(const std::filesystem::path& folder, const ShardInfo& shard, bool checksum) {
  const std::string path = (folder / shard.file).string();
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error) throw FormatError("store shard " + path + " listed in the manifest is missing: " + error.message());
  if (int64_t(size) != shard.bytes)
    throw FormatError("store shard " + path + " has " + std::to_string(size) + " bytes; the manifest says " +
                      std::to_string(shard.bytes) + " (a copy cut short, or a changed file)");
  if (checksum && sha256_file(path) != shard.sha256)
    throw FormatError("store shard " + path + " does not match the manifest's SHA-256 checksum; the file changed "
                      "after extraction (re-extract the store, or restore the shard)");
}

}  // namespace loupe::store
