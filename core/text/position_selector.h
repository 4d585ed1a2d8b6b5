// Which positions of a token sequence an action reads or edits: one vocabulary for activation
// stores, steering, SAE latent ablation, SAE evaluation, heatmaps and directions. Every word picks
// by token type (token_type.h), so each means the same thing everywhere:
//   all          every position
//   image        the image tokens
//   text         the caption's own tokens: a stored sequence's reference or generated caption;
//                while captioning, the generated tokens (a prompt holds no caption tokens)
//   template     the chat template and special tokens around them (a prompt's non-image tokens)
//   non-image    text and template together
//   last         the last position of the sequence
//   6,14,29      absolute positions (digits only, as util::parse_listed_id reads them)
//   mean-image, mean-text, mean-template
//                one vector: the mean over those positions (stores only)
// `generated`, the older steering word, reads as `text`. Each action checks which words it takes
// (require_positions). Torch-free.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace loupe {

enum class PositionKind { All, Image, Text, Template, NonImage, Last, List };

struct PositionSelector {
  PositionSelector() = default;
  explicit PositionSelector(PositionKind kind, bool mean = false) : kind(kind), mean(mean) {}

  PositionKind kind = PositionKind::All;
  bool mean = false;          // one vector: the mean over the selected positions
  std::vector<int64_t> list;  // kind List

  bool operator==(const PositionSelector& other) const {
    return kind == other.kind && mean == other.mean && list == other.list;
  }
};

// Throws InputError listing the words for anything else.
PositionSelector parse_positions(const std::string& word);
std::string positions_word(const PositionSelector& selector);  // the inverse of parse_positions

// What an action accepts, for require_positions.
struct PositionUse {
  const char* action;       // "steering", "an activation store", ...
  bool pooled = false;      // mean-* words
  bool last = false;
  bool list = false;
};
// Throws InputError naming the action and the words it takes when `selector` is not one of them.
void require_positions(const PositionSelector& selector, const PositionUse& use);

// The positions `selector` picks, in order, from a sequence whose position p has type types[p]
// (TokenType codes). A list keeps its positions inside the sequence. May be empty.
std::vector<int64_t> select_positions(const PositionSelector& selector, const std::vector<int8_t>& types);

// The single token type of the positions a kind picks (image, text, template); -1 for the others.
int pooled_type(PositionKind kind);

}  // namespace loupe
