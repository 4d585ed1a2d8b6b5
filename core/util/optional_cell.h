// An optional number as a result-table cell: empty when absent.
#pragma once
#include <cstdint>
#include <optional>

#include "core/util/table.h"

namespace loupe::util {

inline Cell optional_cell(const std::optional<double>& value) { return value ? Cell(*value) : Cell(); }
inline Cell optional_cell(const std::optional<int64_t>& value) { return value ? Cell(*value) : Cell(); }

}  // namespace loupe::util
