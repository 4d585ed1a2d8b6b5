#include "core/store/store_merge.h"

#include <algorithm>

#include "core/error.h"
#include "core/store/store_format.h"
#include "core/store/store_manifest.h"
#include "core/store/store_parts.h"
#include "core/store/store_reader.h"
#include "core/store/store_writer.h"
#include "core/util/json_fields.h"

namespace loupe::store {

namespace fs = std::filesystem;

namespace {

// Manifest fields every part must share, and the same inside its `part`.
const char* const kSharedFields[] = {"model", "dataset", "hooks", "dtype", "positions", "source", "langs", "limit", "version"};
const char* const kSharedPartFields[] = {"count", "batch", "shard_vectors", "dataset_rows"};

struct MergePart {
  fs::path folder;
  StoreReader store;
  nlohmann::json part;  // the manifest's `part`
  int64_t index = 0;
  int64_t count = 0;
};

MergePart open_part(const fs::path& folder) {
  MergePart part{folder, StoreReader::open(folder), {}, 0, 0};
  try {
    part.store.verify();
  } catch (const FormatError& error) {
    throw InputError("cannot merge " + folder.string() + ": " + error.what());
  }
  const nlohmann::json& manifest = part.store.manifest();
  if (!manifest.contains("part") || !manifest["part"].is_object())
    throw InputError("cannot merge " + folder.string() + ": it is a whole extraction, not a part (its manifest has no "
                     "`part`; loupe extract --shard I/N writes parts)");
  part.part = manifest["part"];
  const util::JsonFields fields(part.part, (folder / kManifestName).string() + " `part`");
  part.count = fields.integer_in("count", 1, kMaxManifestCount);
  part.index = fields.integer_in("index", 0, part.count - 1);
  return part;
}

std::string part_name(const MergePart& part) {
  return part.folder.string() + " (part " + std::to_string(part.index) + " of " + std::to_string(part.count) + ")";
}

void check_agree(const MergePart& first, const MergePart& other) {
  const auto differ = [&](const std::string& field, const nlohmann::json& a, const nlohmann::json& b) {
    throw InputError("cannot merge: the parts were extracted with different " + field + ": " + util::describe_json(a, 120) +
                     " in " + first.folder.string() + ", " + util::describe_json(b, 120) + " in " + other.folder.string());
  };
  const nlohmann::json& a = first.store.manifest();
  const nlohmann::json& b = other.store.manifest();
  for (const char* field : kSharedFields)
    if (a.value(field, nlohmann::json()) != b.value(field, nlohmann::json()))
      differ(field, a.value(field, nlohmann::json()), b.value(field, nlohmann::json()));
  for (const char* field : kSharedPartFields)
    if (first.part.value(field, nlohmann::json()) != other.part.value(field, nlohmann::json()))
      differ(std::string("part ") + field, first.part.value(field, nlohmann::json()), other.part.value(field, nlohmann::json()));
}

// Sorts by part number and checks that the parts are 0..N-1, each once, with the rows the
// partition gives them.
void check_complete(std::vector<MergePart>& parts) {
  std::sort(parts.begin(), parts.end(), [](const MergePart& a, const MergePart& b) { return a.index < b.index; });
  for (size_t i = 1; i < parts.size(); ++i)
    if (parts[i].index == parts[i - 1].index)
      throw InputError("cannot merge: " + parts[i - 1].folder.string() + " and " + parts[i].folder.string() +
                       " are both part " + std::to_string(parts[i].index) + " of " + std::to_string(parts[i].count));
  const int64_t count = parts.front().count;
  for (int64_t i = 0; i < count; ++i)
    if (i >= int64_t(parts.size()) || parts[size_t(i)].index != i)
      throw InputError("cannot merge: part " + std::to_string(i) + " of " + std::to_string(count) +
                       " is missing (extract it with --shard " + std::to_string(i) + "/" + std::to_string(count) + ")");
  for (const MergePart& part : parts) {
    const util::JsonFields fields(part.part, (part.folder / kManifestName).string() + " `part`");
    const PartRows rows = part_rows(fields.integer_in("dataset_rows", 1, kMaxManifestCount),
                                    fields.integer_in("batch", 1, kMaxManifestCount), {part.index, part.count});
    if (part.part.value("rows", nlohmann::json()) != nlohmann::json{rows.first, rows.end})
      throw InputError("cannot merge " + part_name(part) + ": it holds rows " +
                       util::describe_json(part.part.value("rows", nlohmann::json())) + ", its part number gives [" +
                       std::to_string(rows.first) + ", " + std::to_string(rows.end) + ")");
  }
}

StoreSpec merged_spec(const std::vector<MergePart>& parts) {
  const StoreReader& store = parts.front().store;
  const util::JsonFields fields(store.manifest(), (parts.front().folder / kManifestName).string());
  StoreSpec spec;
  spec.model = fields.string("model");
  spec.dataset = fields.string("dataset");
  spec.hooks = store.hooks();
  for (const std::string& hook : spec.hooks) spec.widths.push_back(store.width(hook));
  spec.dtype = fields.string("dtype");
  spec.positions = fields.string("positions");
  spec.source = fields.string("source");
  spec.langs = fields.string_list("langs", 16);
  spec.limit = fields.integer_in("limit", 0, kMaxManifestCount);
  for (const MergePart& part : parts)
    spec.units_total += util::JsonFields(part.store.manifest(), kManifestName).integer_in("units_total", 0, kMaxManifestCount);
  return spec;
}

int64_t skipped_row_number(const nlohmann::json& item, const MergePart& part) {
  if (!item.is_object() || !item.contains("row") || !item["row"].is_number_integer())
    throw InputError("cannot merge " + part_name(part) + ": its manifest lists a skipped row without a row number: " +
                     util::describe_json(item, 120));
  return item["row"].get<int64_t>();
}

template <typename T>
std::vector<T> tensor_values(const torch::Tensor& tensor) {  // [n] → its n values
  const torch::Tensor flat = tensor.contiguous();
  return std::vector<T>(flat.data_ptr<T>(), flat.data_ptr<T>() + flat.numel());
}

// Feeds one part's units to `writer` in the order its extraction visited them: dataset row by
// row, each row's languages in order, a skipped row as one unit per language.
void replay_part(const MergePart& part, size_t langs, StoreWriter& writer) {
  const StoreReader& store = part.store;
  const StoreManifest listed = parse_store_manifest(store.manifest(), (part.folder / kManifestName).string());
  const std::vector<std::string> lines = committed_row_lines(part.folder, listed.rows, listed.rows_bytes);
  const nlohmann::json skipped = store.manifest().value("skipped", nlohmann::json::array());
  const auto skip_row = [&](const nlohmann::json& item) {
    for (size_t l = 0; l < langs; ++l) writer.skip_unit(l == 0 ? item : nlohmann::json());
  };
  size_t next_skipped = 0;
  int64_t offset = 0;  // first vector of the entry
  for (size_t e = 0; e < lines.size(); ++e) {
    const int64_t row = store.entries().row[e];
    while (next_skipped < skipped.size() && skipped_row_number(skipped[next_skipped], part) < row) skip_row(skipped[next_skipped++]);
    const int64_t n = int64_t(store.entries().positions[e].size());
    UnitVectors unit;
    unit.meta = nlohmann::json::parse(lines[e]);
    for (const std::string& hook : store.hooks()) unit.per_hook.push_back(store.read_raw(hook, offset, offset + n));  // [n, d]
    unit.positions = tensor_values<int64_t>(store.token_position(offset, offset + n));
    unit.types = tensor_values<int8_t>(store.token_type(offset, offset + n));
    writer.add(std::move(unit));
    offset += n;
  }
  while (next_skipped < skipped.size()) skip_row(skipped[next_skipped++]);
  if (offset != store.count())
    throw InputError("cannot merge " + part_name(part) + ": its rows.jsonl entries list " + std::to_string(offset) +
                     " stored positions, its shards hold " + std::to_string(store.count()) + " vectors");
}

}  // namespace

MergeSummary merge_stores(const std::vector<fs::path>& folders, const fs::path& out) {
  if (folders.empty()) throw InputError("name the part stores to merge");
  std::error_code error;
  if (fs::exists(out, error))
    throw InputError("cannot merge into " + out.string() + ": it exists; choose another --out or remove it");
  std::vector<MergePart> parts;
  for (const fs::path& folder : folders) parts.push_back(open_part(folder));
  for (const MergePart& part : parts) check_agree(parts.front(), part);
  check_complete(parts);

  const StoreSpec spec = merged_spec(parts);
  const int64_t shard_vectors = util::JsonFields(parts.front().part, kManifestName).integer_in("shard_vectors", 1, kMaxManifestCount);
  const fs::path building = out.parent_path() / ("." + out.filename().string() + ".merging");
  fs::remove_all(building, error);  // the leftover of a killed merge
  try {
    StoreWriter writer = StoreWriter::create(building, spec, shard_vectors);
    for (const MergePart& part : parts) replay_part(part, std::max<size_t>(1, spec.langs.size()), writer);
    writer.finish();
    fs::rename(building, out, error);
    if (error) throw IoError("cannot rename " + building.string() + " to " + out.string() + ": " + error.message());
  } catch (...) {
    fs::remove_all(building, error);
    throw;
  }
  const StoreReader merged = StoreReader::open(out);
  MergeSummary summary;
  summary.store = out.string();
  summary.parts = int64_t(parts.size());
  summary.rows = merged.entries().size();
  summary.vectors = merged.count();
  summary.shards = int64_t(merged.shards().size());
  summary.skipped = int64_t(merged.manifest().value("skipped", nlohmann::json::array()).size());
  return summary;
}

nlohmann::json MergeSummary::to_json() const {
  return {{"store", store}, {"parts", parts}, {"rows", rows}, {"vectors", vectors}, {"shards", shards}, {"skipped", skipped}};
}

}  // namespace loupe::store
