#include "core/store/store_reader.h"

#include <algorithm>
#include <numeric>
#include <sstream>

#include "core/error.h"
#include "core/store/store_format.h"
#include "core/tensor/convert.h"
#include "core/util/atomic_file.h"
#include "core/util/json_fields.h"

namespace loupe::store {

namespace fs = std::filesystem;

namespace {

nlohmann::json read_manifest(const fs::path& folder) {
  const fs::path path = folder / kManifestName;
  std::error_code error;
  if (!fs::exists(path, error))
    throw InputError(folder.string() + " is not an activation store (no manifest.json); run `loupe extract` "
                     "(an interrupted one writes its manifest with the first shard)");
  return util::parse_json_file(path.string());
}

StoreEntries read_entries(const fs::path& folder, int64_t count, int64_t bytes) {
  if (count == 0) return {};
  return parse_store_entries(committed_row_lines(folder, count, bytes), (folder / kRowsName).string());
}

}  // namespace

std::vector<std::string> committed_row_lines(const fs::path& folder, int64_t count, int64_t bytes) {
  std::vector<std::string> rows;
  if (count == 0) return rows;
  const fs::path path = folder / kRowsName;
  std::string text = util::read_file(path.string());
  if (int64_t(text.size()) < bytes)
    throw FormatError(path.string() + " is shorter than the manifest says (" + std::to_string(text.size()) + " < " +
                      std::to_string(bytes) + " bytes); the store is damaged");
  text.resize(size_t(bytes));
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) rows.push_back(std::move(line));
  if (int64_t(rows.size()) != count)
    throw FormatError(path.string() + " holds " + std::to_string(rows.size()) + " entries; the manifest says " +
                      std::to_string(count));
  return rows;
}

StoreReader StoreReader::open(const fs::path& folder) {
  StoreReader store;
  store.folder_ = folder;
  store.manifest_ = read_manifest(folder);
  const StoreManifest manifest = parse_store_manifest(store.manifest_, (folder / kManifestName).string());
  store.version_ = manifest.version;
  store.hooks_ = manifest.hooks;
  store.widths_ = manifest.widths;
  store.shards_ = manifest.shards;
  store.count_ = manifest.count;
  store.complete_ = manifest.complete;
  store.entries_ = read_entries(folder, manifest.rows, manifest.rows_bytes);
  for (const ShardInfo& shard : store.shards_) {
    check_shard_file(folder, shard, false);
    const std::string path = (folder / shard.file).string();
    io::SafeTensors file = io::SafeTensors::open(path);
    for (size_t h = 0; h < store.hooks_.size(); ++h) {
      const io::TensorView& view = file.at(store.hooks_[h]);
      if (view.shape != std::vector<int64_t>{shard.vectors, store.widths_[h]})
        throw FormatError("store shard " + path + ": " + store.hooks_[h] + " does not have the manifest's shape [" +
                          std::to_string(shard.vectors) + ", " + std::to_string(store.widths_[h]) + "]");
    }
    for (const char* name : {kRowIndexTensor, kTokenPositionTensor, kTokenTypeTensor})
      if (file.at(name).shape != std::vector<int64_t>{shard.vectors})
        throw FormatError("store shard " + path + ": " + name + " does not have " + std::to_string(shard.vectors) + " entries");
    store.files_.push_back(std::move(file));
  }
  return store;
}

void StoreReader::verify() const {
  if (!complete_)
    throw FormatError((folder_ / kManifestName).string() + " says `complete`: false; the extraction of this store did "
                      "not finish: run loupe extract --resume with its options first");
  for (const ShardInfo& shard : shards_) check_shard_file(folder_, shard, true);
}

int64_t StoreReader::width(const std::string& hook) const {
  for (size_t h = 0; h < hooks_.size(); ++h)
    if (hooks_[h] == hook) return widths_[h];
  std::string names;
  for (const auto& name : hooks_) names += (names.empty() ? "" : ", ") + name;
  throw InputError("the store " + folder_.string() + " has no hook " + hook + "; it holds: " + names);
}

std::string StoreReader::model() const { return util::JsonFields(manifest_, kManifestName).string("model", ""); }
std::string StoreReader::dtype() const { return util::JsonFields(manifest_, kManifestName).string("dtype", ""); }
std::string StoreReader::positions() const {
  return util::JsonFields(manifest_, kManifestName).string("positions", "");
}

size_t StoreReader::shard_of(int64_t index) const {
  auto after = std::upper_bound(shards_.begin(), shards_.end(), index,
                                [](int64_t value, const ShardInfo& shard) { return value < shard.first; });
  return size_t(after - shards_.begin()) - 1;
}

torch::Tensor StoreReader::slice(const std::string& tensor, int64_t begin, int64_t end) const {
  if (begin < 0 || end > count_ || begin > end)
    throw InputError("vectors [" + std::to_string(begin) + ", " + std::to_string(end) + ") are outside the store's " +
                     std::to_string(count_));
  std::vector<torch::Tensor> parts;
  for (size_t s = begin == end ? shards_.size() : shard_of(begin); s < shards_.size() && shards_[s].first < end; ++s) {
    const int64_t from = std::max(begin, shards_[s].first) - shards_[s].first;
    const int64_t to = std::min(end, shards_[s].first + shards_[s].vectors) - shards_[s].first;
    parts.push_back(tensor::view_of(files_[s].at(tensor)).narrow(0, from, to - from));
  }
  if (parts.empty()) {  // an empty range: an empty tensor of the right shape and dtype
    if (shards_.empty()) return torch::empty({0}, torch::kFloat32);
    torch::Tensor any = tensor::view_of(files_[0].at(tensor));
    return any.narrow(0, 0, 0).clone();
  }
  return parts.size() == 1 ? parts[0].clone() : torch::cat(parts, 0);
}

torch::Tensor StoreReader::read_raw(const std::string& hook, int64_t begin, int64_t end) const {
  const int64_t d = width(hook);
  torch::Tensor out = slice(hook, begin, end);
  return out.numel() == 0 ? torch::empty({0, d}, out.options()) : out;
}

torch::Tensor StoreReader::read(const std::string& hook, int64_t begin, int64_t end) const {
  return read_raw(hook, begin, end).to(torch::kFloat32);
}

torch::Tensor StoreReader::gather(const std::string& hook, const std::vector<int64_t>& indices) const {
  const int64_t d = width(hook);
  torch::Tensor out = torch::empty({int64_t(indices.size()), d}, torch::kFloat32);  // [n, d]
  std::vector<std::vector<int64_t>> slots(shards_.size()), locals(shards_.size());
  for (size_t i = 0; i < indices.size(); ++i) {
    const int64_t index = indices[i];
    if (index < 0 || index >= count_)
      throw InputError("vector " + std::to_string(index) + " is outside the store's " + std::to_string(count_));
    const size_t s = shard_of(index);
    slots[s].push_back(int64_t(i));
    locals[s].push_back(index - shards_[s].first);
  }
  for (size_t s = 0; s < shards_.size(); ++s) {
    if (slots[s].empty()) continue;
    torch::Tensor view = tensor::view_of(files_[s].at(hook));  // [vectors, d] mapped
    torch::Tensor picked = view.index_select(0, torch::tensor(locals[s], torch::kInt64)).to(torch::kFloat32);
    out.index_copy_(0, torch::tensor(slots[s], torch::kInt64), picked);
  }
  return out;
}

torch::Tensor StoreReader::row_index(int64_t begin, int64_t end) const { return slice(kRowIndexTensor, begin, end); }
torch::Tensor StoreReader::token_position(int64_t begin, int64_t end) const {
  return slice(kTokenPositionTensor, begin, end);
}
torch::Tensor StoreReader::token_type(int64_t begin, int64_t end) const {
  torch::Tensor types = slice(kTokenTypeTensor, begin, end);  // [n] int8
  if (version_ > 1) return types;
  // Version 1 wrote image 0 and text 1.
  return torch::where(types == 0, torch::full_like(types, kImageToken),
                      torch::where(types == 1, torch::full_like(types, kTextToken), types));
}

}  // namespace loupe::store
