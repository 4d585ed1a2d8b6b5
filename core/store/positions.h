// Which positions of a (row, language) sequence an extraction stores: a PositionSelector
// (core/text/position_selector.h) over the sequence's token types, in which the caption's tokens are
// `text` and the chat template `template`. The default, `text`, is what SAEs train on (special
// positions such as Gemma 3's first carry residual norms far above the caption tokens',
// docs/store.md). Stores take every word but a position list.
#pragma once
#include <cstdint>
#include <vector>

#include "core/text/position_selector.h"

namespace loupe::store {

constexpr PositionUse kStorePositions{"an activation store", /*pooled=*/true, /*last=*/true, /*list=*/false};

// The positions to take from a sequence whose position p has type types[p] (TokenType codes).
// Pooled selectors return the positions to average. May be empty (e.g. `text` of an empty caption).
struct Selection {
  std::vector<int64_t> positions;
  std::vector<int8_t> types;  // the type of each stored vector (pooled: one entry)
  bool pooled = false;
};
Selection select_stored(const PositionSelector& selector, const std::vector<int8_t>& types);

}  // namespace loupe::store
