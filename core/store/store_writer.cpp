#include "core/store/store_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"
#include "core/store/sha256.h"
#include "core/store/store_format.h"
#include "core/store/store_manifest.h"
#include "core/tensor/convert.h"
#include "core/util/atomic_file.h"
#include "core/util/json_fields.h"

namespace loupe::store {

namespace fs = std::filesystem;

namespace {

// Fields of the manifest that fix what the store holds (a resume must match them).
const char* const kSpecFields[] = {"model", "dataset", "hooks", "dtype", "positions", "source", "langs", "limit", "units_total", "part"};

bool is_leftover(const fs::path& file, const nlohmann::json& shards) {
  const std::string name = file.filename().string();
  if (name.find(".tmp-") != std::string::npos) return true;  // an AtomicFile that never committed
  if (name.rfind("shard-", 0) != 0) return false;
  for (const auto& shard : shards)
    if (util::JsonFields(shard, kManifestName).string("file") == name) return false;
  return true;
}

void remove_leftovers(const fs::path& folder, const nlohmann::json& shards) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error))
    if (is_leftover(entry.path(), shards)) fs::remove(entry.path(), error);
}

// Appends `text` to rows.jsonl at byte `offset` (dropping anything after it) and syncs it.
void append_rows(const fs::path& path, int64_t offset, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw IoError("cannot open " + path.string() + ": " + std::strerror(errno));
  bool ok = ::ftruncate(fd, offset) == 0 && ::lseek(fd, offset, SEEK_SET) == offset;
  size_t written = 0;
  while (ok && written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n <= 0) ok = false;
    else written += size_t(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const std::string reason = ok ? "" : std::strerror(errno);
  // Undo a partial append where possible; if that fails too, the manifest's rows_bytes still marks
  // the committed end, and readers and resumes never look past it.
  if (!ok) {
    [[maybe_unused]] const int undone = ::ftruncate(fd, offset);
  }
  ::close(fd);
  if (!ok) throw IoError("cannot write " + path.string() + ": " + reason);
}

}  // namespace

nlohmann::json StoreSpec::to_json() const {
  nlohmann::json hook_list = nlohmann::json::array();
  for (size_t h = 0; h < hooks.size(); ++h) hook_list.push_back({{"name", hooks[h]}, {"width", widths[h]}});
  nlohmann::json fields = {{"model", model},         {"dataset", dataset}, {"hooks", hook_list}, {"dtype", dtype},
                            {"positions", positions}, {"source", source},   {"langs", langs},     {"limit", limit},
                            {"units_total", units_total}};
  if (!part.is_null()) fields["part"] = part;
  return fields;
}

StoreWriter StoreWriter::create(const fs::path& folder, const StoreSpec& spec, int64_t shard_vectors) {
  std::error_code error;
  if (fs::exists(folder / kManifestName, error))
    throw InputError("the store " + folder.string() + " already exists; pass --resume to continue it or choose another --out");
  if (shard_vectors < 1) throw InputError("vectors per shard must be at least 1");
  util::create_folders(folder);
  remove_leftovers(folder, nlohmann::json::array());
  fs::remove(folder / kRowsName, error);
  StoreWriter writer;
  writer.folder_ = folder;
  writer.spec_ = spec;
  writer.shard_vectors_ = shard_vectors;
  return writer;
}

StoreWriter StoreWriter::resume(const fs::path& folder, const StoreSpec& spec, int64_t shard_vectors) {
  std::error_code error;
  if (!fs::exists(folder / kManifestName, error))
    throw InputError("cannot resume " + folder.string() + ": there is no store to resume (no " + kManifestName +
                     "; an extraction writes it with its first shard); run loupe extract without --resume");
  const std::string path = (folder / kManifestName).string();
  const nlohmann::json manifest = util::parse_json_file(path);
  const StoreManifest listed = parse_store_manifest(manifest, path);
  const util::JsonFields fields(manifest, path);
  if (listed.version != kStoreVersion)
    throw InputError("cannot resume " + folder.string() + ": an older loupe wrote it (store version " +
                     std::to_string(listed.version) + ", other token-type codes); extract into another --out");
  // A shard cut short or changed since its commit would stay in the store; stop before adding to it.
  for (const ShardInfo& shard : listed.shards) {
    try {
      check_shard_file(folder, shard, true);
    } catch (const FormatError& damaged) {
      throw FormatError("cannot resume " + folder.string() + ": " + damaged.what() +
                        "; the store is damaged: extract into another --out");
    }
  }
  const nlohmann::json wanted = spec.to_json();
  for (const char* field : kSpecFields)
    if (fields.value(field) != wanted.value(field, nlohmann::json()))
      throw InputError("cannot resume " + folder.string() + ": it was extracted with " + field + " = " +
                       util::describe_json(fields.value(field), 120) + ", this run asks for " +
                       util::describe_json(wanted.value(field, nlohmann::json()), 120) + "; use the same options or another --out");
  StoreWriter writer;
  writer.folder_ = folder;
  writer.spec_ = spec;
  writer.shard_vectors_ = shard_vectors;
  writer.shards_ = fields.array("shards");  // checked by parse_store_manifest
  writer.skipped_ = fields.array("skipped");
  writer.units_done_ = fields.integer_in("units_done", 0, kMaxManifestCount);
  writer.vectors_ = fields.integer_in("vectors", 0, kMaxManifestCount);
  writer.rows_ = listed.rows;
  writer.rows_bytes_ = listed.rows_bytes;
  remove_leftovers(folder, writer.shards_);
  fs::resize_file(folder / kRowsName, uintmax_t(writer.rows_bytes_), error);
  if (error && writer.rows_bytes_ > 0)
    throw IoError("cannot trim " + (folder / kRowsName).string() + ": " + error.message());
  return writer;
}

void StoreWriter::add(UnitVectors unit) {
  pending_vectors_ += int64_t(unit.positions.size());
  pending_.push_back(std::move(unit));
  ++pending_units_;
  if (pending_vectors_ >= shard_vectors_) commit();
}

void StoreWriter::skip_unit(const nlohmann::json& reason) {
  if (!reason.is_null()) pending_skipped_.push_back(reason);
  ++pending_units_;
}

void StoreWriter::commit() {
  if (pending_units_ == 0) return;
  nlohmann::json shard_entry;
  std::string shard_path;
  if (pending_vectors_ > 0) {
    tensor::NamedTensors tensors;
    for (size_t h = 0; h < spec_.hooks.size(); ++h) {
      std::vector<torch::Tensor> parts;
      for (const auto& unit : pending_)
        if (!unit.positions.empty()) parts.push_back(unit.per_hook[h]);
      tensors.emplace_back(spec_.hooks[h], torch::cat(parts, 0));  // [vectors, d]
    }
    std::vector<int64_t> row_index, positions;
    std::vector<int8_t> types;
    for (size_t u = 0; u < pending_.size(); ++u) {
      row_index.insert(row_index.end(), pending_[u].positions.size(), rows_ + int64_t(u));
      positions.insert(positions.end(), pending_[u].positions.begin(), pending_[u].positions.end());
      types.insert(types.end(), pending_[u].types.begin(), pending_[u].types.end());
    }
    tensors.emplace_back(kRowIndexTensor, torch::tensor(row_index, torch::kInt64));
    tensors.emplace_back(kTokenPositionTensor, torch::tensor(positions, torch::kInt64));
    tensors.emplace_back(kTokenTypeTensor, torch::from_blob(types.data(), {int64_t(types.size())}, torch::kInt8).clone());
    const std::string name = shard_name(int64_t(shards_.size()));
    shard_path = (folder_ / name).string();
    tensor::save(shard_path, tensors, {{"format", kStoreFormat}, {"first_row", std::to_string(rows_)}});
    shard_entry = {{"file", name},
                   {"vectors", pending_vectors_},
                   {"rows", {rows_, rows_ + int64_t(pending_.size())}},
                   {"bytes", int64_t(fs::file_size(shard_path))},
                   {"sha256", sha256_file(shard_path)}};
  }
  std::string lines;
  for (const auto& unit : pending_)
    lines += unit.meta.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  try {
    append_rows(folder_ / kRowsName, rows_bytes_, lines);
    const auto saved = std::make_tuple(shards_, skipped_, units_done_, vectors_, rows_, rows_bytes_);
    if (!shard_entry.is_null()) shards_.push_back(shard_entry);
    for (const auto& skip : pending_skipped_) skipped_.push_back(skip);
    units_done_ += pending_units_;
    vectors_ += pending_vectors_;
    rows_ += int64_t(pending_.size());
    rows_bytes_ += int64_t(lines.size());
    try {
      write_manifest(false);
    } catch (const Error&) {
      std::tie(shards_, skipped_, units_done_, vectors_, rows_, rows_bytes_) = saved;
      throw;
    }
  } catch (const Error&) {
    std::error_code error;  // best effort: the manifest does not list it, a resume removes it anyway
    if (!shard_path.empty()) fs::remove(shard_path, error);
    throw;
  }
  pending_.clear();
  pending_skipped_ = nlohmann::json::array();
  pending_units_ = 0;
  pending_vectors_ = 0;
}

void StoreWriter::finish() {
  commit();
  write_manifest(true);
}

void StoreWriter::write_manifest(bool complete) {
  nlohmann::json manifest = spec_.to_json();
  manifest["format"] = kStoreFormat;
  manifest["version"] = kStoreVersion;
  manifest["vectors"] = vectors_;
  manifest["rows"] = rows_;
  manifest["rows_bytes"] = rows_bytes_;
  manifest["units_done"] = units_done_;
  manifest["complete"] = complete;
  manifest["skipped"] = skipped_;
  manifest["shards"] = shards_;
  util::write_file_atomic((folder_ / kManifestName).string(), manifest.dump(2) + "\n");
}

}  // namespace loupe::store
