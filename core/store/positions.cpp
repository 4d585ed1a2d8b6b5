#include "core/store/positions.h"

namespace loupe::store {

Selection select_stored(const PositionSelector& selector, const std::vector<int8_t>& types) {
  Selection selection;
  selection.pooled = selector.mean;
  selection.positions = select_positions(selector, types);
  if (!selection.pooled) {
    for (int64_t p : selection.positions) selection.types.push_back(types[size_t(p)]);
  } else if (!selection.positions.empty()) {
    selection.types.push_back(int8_t(pooled_type(selector.kind)));
  }
  return selection;
}

}  // namespace loupe::store
