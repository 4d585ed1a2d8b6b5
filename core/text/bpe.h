// The BPE model of a tokenizer.json, following HF `tokenizers` (models/bpe/model.rs, word.rs):
// a word is split into characters (each a vocabulary token, else its <0xNN> byte tokens when
// byte_fallback is on, else the unk token, consecutive unks fused when fuse_unk is on), then the
// adjacent pair with the lowest merge rank is merged, leftmost first among equal ranks, until no
// pair has a merge. Merges are looked up by the pair of ids; a heap of candidate merges over a
// linked list of symbols makes a word of n characters cost O(n log n).
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/text/flat_map.h"
#include "core/text/tokenizer_json.h"

namespace loupe::text {

class BpeModel {
 public:
  // From the `model` section (type BPE) plus the streamed vocab and merges of the file. Throws
  // FormatError for options loupe does not implement (dropout, continuing_subword_prefix,
  // end_of_word_suffix), for merges or an unk token that are not in the vocabulary, and for an id
  // above `max_id` (tokenizer_json.h's max_token_id; `bound_note` explains it in the message).
  static BpeModel from_json(const nlohmann::json& model, TokenizerJson& file, int64_t max_id,
                            const std::string& bound_note);

  // Appends the ids of one pre-tokenized word (non-empty, valid UTF-8) to `out`.
  void tokenize(std::string_view word, std::vector<int64_t>& out) const;

  std::optional<int64_t> find(std::string_view token) const;
  std::optional<std::string_view> token(int64_t id) const;
  int64_t id_count() const { return static_cast<int64_t>(index_of_id_.size()); }  // largest id + 1

 private:
  struct MergeTarget {
    uint32_t rank = 0;
    int32_t id = 0;
  };
  static uint64_t pair_key(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
  }
  const MergeTarget* merge_of(int32_t left, int32_t right) const;
  struct Symbol {
    int32_t id;
    int32_t prev;  // index of the symbol on the left, -1 at the start
    int32_t next;  // index of the symbol on the right, -1 at the end
    bool alive;    // false once merged into its left neighbour
  };
  void merge_all(std::vector<Symbol>& symbols) const;

  std::shared_ptr<const StringList> tokens_;  // the vocabulary strings; copies share them
  FlatMap<std::string_view, int32_t> vocab_;  // views into *tokens_
  std::vector<int32_t> index_of_id_;          // id -> index in *tokens_, -1 for a gap
  FlatMap<uint64_t, MergeTarget, MixHash> merges_;
  std::array<int32_t, 256> byte_ids_{};  // id of "<0xNN>", -1 when absent or byte_fallback is off
  std::optional<int32_t> unk_id_;
  bool fuse_unk_ = false;
  bool ignore_merges_ = false;
};

}  // namespace loupe::text
