// Reading a Hugging Face tokenizer.json quickly. The Gemma 3 file is 33 MB with 262k vocabulary
// entries and 514k merges; building a JSON tree for those alone takes most of a second, so the
// reader streams `model.vocab` and `model.merges` straight into packed string lists and keeps a
// JSON tree only for everything else (normalizer, pre_tokenizer, added_tokens, decoder, ...).
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
  std::vector<int64_t> vocab_ids;  // their ids
  StringList merge_parts;          // model.merges flattened: merge r is parts 2r and 2r+1
  bool has_vocab = false;
};

// Throws IoError when the file cannot be read and FormatError (naming the file) when it is not
// JSON or when model.vocab / model.merges have the wrong shape.
TokenizerJson read_tokenizer_json(const std::string& path);

}  // namespace loupe::text
