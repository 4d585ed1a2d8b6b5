// The `added_tokens` of a tokenizer.json (special tokens such as <bos>, <start_of_turn>, and
// Gemma's whitespace runs), matched in the text before the model sees it, as HF
// `tokenizers` does (tokenizer/added_vocabulary.rs):
// - tokens with normalized=false are found in the raw text; the pieces between them are then
//   normalized, and tokens with normalized=true are found in those normalized pieces (their own
//   content normalized the same way, so a Prepend normalizer makes "<x>" match "▁<x>");
// - at each position the longest token wins, and the leftmost match wins over a longer later one;
// - lstrip/rstrip make the match swallow the white space on its left/right (never text that an
//   earlier match already took on the left);
// - single_word=true is rejected when loading: HF tests it with Unicode's \w, which loupe does
//   not carry, and guessing would mis-tokenize silently.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/text/normalizer.h"

namespace loupe::text {

struct AddedToken {
  std::string content;
  int64_t id = 0;
  bool special = false;     // skipped by decode(skip_special)
  bool normalized = false;  // matched in the normalized text instead of the raw text
  bool lstrip = false;
  bool rstrip = false;
};

// A stretch of text: either an added token (id set) or text for the next stage (no id).
struct TextPiece {
  std::string_view text;
  std::optional<int64_t> id;
};

class AddedVocabulary {
 public:
  // Each id must be from 0 to `max_id` (tokenizer_json.h's max_token_id; `bound_note` explains it
  // in the message): FormatError naming the token otherwise.
  static AddedVocabulary from_json(const nlohmann::json& added_tokens, const Normalizer& normalizer,
                                   int64_t max_id, const std::string& bound_note);

  // Splits raw text around the normalized=false tokens.
  std::vector<TextPiece> split_raw(std::string_view text) const { return raw_.split(text, tokens_); }
  // Splits normalized text around the normalized=true tokens.
  std::vector<TextPiece> split_normalized(std::string_view text) const {
    return normalized_.split(text, tokens_);
  }

  const std::vector<AddedToken>& tokens() const { return tokens_; }
  std::optional<int64_t> find(const std::string& content) const;
  const AddedToken* by_id(int64_t id) const;  // nullptr when no added token has this id

 private:
  // A byte trie over token contents answering "longest token starting here".
  class Matcher {
   public:
    void insert(std::string_view pattern, int32_t token_index);
    std::vector<TextPiece> split(std::string_view text, const std::vector<AddedToken>& tokens) const;

   private:
    struct Match {
      size_t end;
      int32_t token_index;
    };
    std::optional<Match> longest_at(std::string_view text, size_t start) const;
    int32_t child(int32_t node, unsigned char byte) const;

    std::unordered_map<uint64_t, int32_t> children_;  // (node << 8 | byte) -> node
    std::vector<int32_t> terminal_{-1};               // node -> token index ending there, or -1
    bool can_start_[256] = {};
  };

  std::vector<AddedToken> tokens_;
  std::unordered_map<std::string, int64_t> by_content_;
  std::unordered_map<int64_t, size_t> index_of_id_;  // id -> index in tokens_
  Matcher raw_;
  Matcher normalized_;
};

}  // namespace loupe::text
