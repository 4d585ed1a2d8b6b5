#include "core/text/bpe.h"

#include <algorithm>
#include <cstdio>

#include "core/error.h"
#include "core/util/utf8.h"
#include "core/util/json_fields.h"

namespace loupe::text {

namespace {

void require_null(const util::JsonFields& model, const char* key) {
  if (model.has(key)) throw FormatError(std::string("BPE option `") + key + "` is not supported (it must be null)");
}

// A merge waiting in the heap: merge the symbol at `pos` with its right neighbour into `id`.
struct Candidate {
  uint32_t rank;
  int32_t pos;
  int32_t id;
};

// Heap order: lowest rank first, then leftmost (std heaps put the "largest" element on top).
bool comes_later(const Candidate& a, const Candidate& b) {
  return a.rank != b.rank ? a.rank > b.rank : a.pos > b.pos;
}

}  // namespace

BpeModel BpeModel::from_json(const nlohmann::json& spec, TokenizerJson& file, int64_t max_id,
                             const std::string& bound_note) {
  const util::JsonFields model(spec, "BPE model");
  require_null(model, "continuing_subword_prefix");
  require_null(model, "end_of_word_suffix");
  if (model.has("dropout") && !(model.value("dropout").is_number() && model.value("dropout").get<double>() == 0.0))
    throw FormatError("BPE dropout is not supported (tokenization would be random)");

  BpeModel bpe;
  bpe.tokens_ = std::make_shared<const StringList>(std::move(file.vocab_tokens));
  const StringList& tokens = *bpe.tokens_;
  bpe.vocab_.reserve(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
    const uint64_t id = file.vocab_ids[i];
    if (id > uint64_t(max_id))
      throw FormatError("model.vocab " + util::describe_json(std::string(tokens[i])) + ": the id must be from 0 to " +
                        std::to_string(max_id) + " " + bound_note + ", not " + std::to_string(id));
    bpe.vocab_.insert_or_assign(tokens[i], static_cast<int32_t>(id));
    if (id >= bpe.index_of_id_.size()) bpe.index_of_id_.resize(id + 1, -1);
    bpe.index_of_id_[id] = static_cast<int32_t>(i);
  }

  const StringList& parts = file.merge_parts;
  bpe.merges_.reserve(parts.size() / 2);
  std::string joined;
  for (size_t rank = 0; rank < parts.size() / 2; ++rank) {
    const std::string_view left = parts[2 * rank], right = parts[2 * rank + 1];
    joined.assign(left).append(right);
    const int32_t *left_id = bpe.vocab_.find(left), *right_id = bpe.vocab_.find(right),
                  *joined_id = bpe.vocab_.find(joined);
    if (!left_id || !right_id || !joined_id)
      throw FormatError("model.merges entry " + std::to_string(rank) + " ('" + std::string(left) + "' + '" +
                        std::string(right) + "') names a token that is not in model.vocab");
    bpe.merges_.insert_or_assign(pair_key(*left_id, *right_id), {static_cast<uint32_t>(rank), *joined_id});
  }

  bpe.byte_ids_.fill(-1);
  if (model.boolean("byte_fallback", false)) {
    char name[8];
    for (int byte = 0; byte < 256; ++byte) {
      std::snprintf(name, sizeof name, "<0x%02X>", byte);
      if (const int32_t* id = bpe.vocab_.find(name)) bpe.byte_ids_[byte] = *id;
    }
  }
  if (model.has("unk_token")) {
    const std::string unk = model.string("unk_token");
    const int32_t* id = bpe.vocab_.find(unk);
    if (!id) throw FormatError("BPE unk_token '" + unk + "' is not in model.vocab");
    bpe.unk_id_ = *id;
  }
  bpe.fuse_unk_ = model.boolean("fuse_unk", false);
  bpe.ignore_merges_ = model.boolean("ignore_merges", false);
  return bpe;
}

std::optional<int64_t> BpeModel::find(std::string_view token) const {
  const int32_t* id = vocab_.find(token);
  if (!id) return std::nullopt;
  return *id;
}

std::optional<std::string_view> BpeModel::token(int64_t id) const {
  if (id < 0 || id >= id_count() || index_of_id_[id] < 0) return std::nullopt;
  return (*tokens_)[index_of_id_[id]];
}

const BpeModel::MergeTarget* BpeModel::merge_of(int32_t left, int32_t right) const {
  return merges_.find(pair_key(left, right));
}

void BpeModel::tokenize(std::string_view word, std::vector<int64_t>& out) const {
  if (word.empty()) return;
  if (ignore_merges_) {
    if (const int32_t* id = vocab_.find(word)) {
      out.push_back(*id);
      return;
    }
  }

  std::vector<Symbol> symbols;
  symbols.reserve(word.size());
  auto add = [&symbols](int32_t id) {
    const auto index = static_cast<int32_t>(symbols.size());
    if (index > 0) symbols.back().next = index;
    symbols.push_back({id, index - 1, -1, true});
  };
  // As in HF, an unknown character is held back so that a run of them can fuse into one unk; the
  // held unk is written before the next known character (byte tokens do not flush it).
  int32_t held_unk = -1;
  for (size_t i = 0; i < word.size();) {
    const size_t length = std::min(util::utf8_length(static_cast<unsigned char>(word[i])), word.size() - i);
    const std::string_view piece = word.substr(i, length);
    i += length;
    if (const int32_t* id = vocab_.find(piece)) {
      if (held_unk >= 0) add(held_unk);
      held_unk = -1;
      add(*id);
      continue;
    }
    const bool bytes_known = std::all_of(piece.begin(), piece.end(), [this](char byte) {
      return byte_ids_[static_cast<unsigned char>(byte)] >= 0;
    });
    if (bytes_known) {
      for (char byte : piece) add(byte_ids_[static_cast<unsigned char>(byte)]);
      continue;
    }
    if (!unk_id_) continue;  // HF drops a character it cannot represent when there is no unk
    if (held_unk >= 0 && !fuse_unk_) add(held_unk);
    held_unk = *unk_id_;
  }
  if (held_unk >= 0) add(held_unk);

  merge_all(symbols);
  for (const Symbol& symbol : symbols)
    if (symbol.alive) out.push_back(symbol.id);
}

void BpeModel::merge_all(std::vector<Symbol>& symbols) const {
  std::vector<Candidate> heap;
  heap.reserve(symbols.size());
  for (size_t i = 0; i + 1 < symbols.size(); ++i)
    if (const MergeTarget* merge = merge_of(symbols[i].id, symbols[i + 1].id))
      heap.push_back({merge->rank, static_cast<int32_t>(i), merge->id});
  std::make_heap(heap.begin(), heap.end(), comes_later);

  auto push = [&heap](const MergeTarget* merge, int32_t pos) {
    if (!merge) return;
    heap.push_back({merge->rank, pos, merge->id});
    std::push_heap(heap.begin(), heap.end(), comes_later);
  };
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), comes_later);
    const Candidate top = heap.back();
    heap.pop_back();
    Symbol& current = symbols[top.pos];
    if (!current.alive || current.next < 0) continue;
    Symbol& right = symbols[current.next];
    // A candidate is stale when a neighbour changed since it was queued.
    const MergeTarget* merge = merge_of(current.id, right.id);
    if (!merge || merge->id != top.id) continue;

    current.id = top.id;
    right.alive = false;
    current.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = top.pos;
    if (current.prev >= 0) push(merge_of(symbols[current.prev].id, current.id), current.prev);
    if (current.next >= 0) push(merge_of(current.id, symbols[current.next].id), top.pos);
  }
}

}  // namespace loupe::text
