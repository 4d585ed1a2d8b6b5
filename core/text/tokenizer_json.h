// Reading a Hugging Face tokenizer.json quickly. The Gemma 3 file is 33 MB with 262k vocabulary
// entries and 514k merges; building a JSON tree for those alone takes most of a second, so the
// reader streams `model.vocab` and `model.merges` straight into packed string lists and keeps a
// JSON tree only for everything else (normalizer, pre_tokenizer, added_tokens, decoder, ...).
//
// Limits, so that no file can make the reader allocate far more than its own size or wrap an id:
// - the JSON tree is at most util::kMaxJsonDepth (64) levels deep;
// - every token id (model.vocab and added_tokens) is an integer from 0 to max_token_id(entries),
//   where `entries` counts model.vocab and added_tokens together: fewer than 4 ids per entry, and
//   below 2^31 (the BPE model keeps ids as int32). Real vocabularies are dense (Gemma 3: 262,144
//   entries, ids 0..262,143; Llama 2: 32,000), so this never refuses one, while the id -> token
//   table stays within 16 bytes per entry of the file. An id of 2^64 - 1 or 2^31 - 1 in a small
//   file is a FormatError naming the file, the token and the bound.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace loupe::text {

// Strings stored back to back in one buffer: no allocation per string.
class StringList {
 public:
  void push_back(std::string_view text) {
    bytes_.append(text);
    ends_.push_back(bytes_.size());
  }
  size_t size() const { return ends_.size(); }
  std::string_view operator[](size_t i) const {
    const size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(bytes_).substr(begin, ends_[i] - begin);
  }

 private:
  std::string bytes_;
  std::vector<size_t> ends_;
};

struct TokenizerJson {
  nlohmann::json rest;             // the whole file except model.vocab and model.merges
  StringList vocab_tokens;         // model.vocab keys, in file order
  std::vector<uint64_t> vocab_ids;  // their ids, as written (checked against max_token_id later)
  StringList merge_parts;          // model.merges flattened: merge r is parts 2r and 2r+1
  bool has_vocab = false;
};

constexpr int64_t kIdsPerEntry = 4;
constexpr int64_t kMaxTokenId = (int64_t(1) << 31) - 1;
// The largest token id a file with `entries` vocabulary and added-token entries may use.
int64_t max_token_id(size_t entries);
// "(4 ids per entry of model.vocab and added_tokens: 11 entries)", for the errors naming the bound.
std::string token_id_bound_note(size_t entries);

// Throws IoError when the file cannot be read and FormatError (naming the file) when it is not
// JSON or when model.vocab / model.merges have the wrong shape.
TokenizerJson read_tokenizer_json(const std::string& path);

}  // namespace loupe::text
