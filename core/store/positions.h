// Which positions of a (row, language) sequence an extraction stores, by rule (docs/store.md):
//   all          every position (template, image and caption tokens)
//   image        the image tokens
//   text         the caption tokens (teacher-forced reference or generated); no template, no
//                special tokens: the default, what SAEs train on (special positions such as Gemma 3's
//                first carry residual norms far above the caption tokens', docs/store.md)
//   last         the last position of the sequence as run
//   mean-image   one vector: the mean over the image tokens
//   mean-text    one vector: the mean over the caption tokens
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace loupe::store {

enum class PositionRule { All, Image, Text, Last, MeanImage, MeanText };

// Throws InputError listing the rules for an unknown word.
PositionRule parse_position_rule(const std::string& word);
const char* position_rule_name(PositionRule rule);
bool is_pooled(PositionRule rule);

// The positions to take from a sequence whose position p has type types[p] (TokenType codes).
// Pooled rules return the positions to average. May be empty (e.g. `text` of an empty caption).
struct Selection {
  std::vector<int64_t> positions;
  std::vector<int8_t> types;  // the type of each stored vector (pooled: one entry)
  bool pooled = false;
};
Selection select_positions(PositionRule rule, const std::vector<int8_t>& types);

}  // namespace loupe::store
