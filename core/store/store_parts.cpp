#include "core/store/store_parts.h"

#include <algorithm>

#include "core/error.h"

namespace loupe::store {

namespace {

int64_t parse_whole_number(const std::string& text, const std::string& shard) {
  if (text.empty() || text.size() > 9 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    throw InputError("--shard expects I/N with whole numbers 0 <= I < N (e.g. 0/4, as Slurm's $SLURM_ARRAY_TASK_ID/"
                     "$SLURM_ARRAY_TASK_COUNT), got '" + shard + "'");
  return std::stoll(text);
}

}  // namespace

StorePart parse_store_part(const std::string& text) {
  const size_t slash = text.find('/');
  StorePart part;
  part.index = parse_whole_number(text.substr(0, slash), text);
  part.count = parse_whole_number(slash == std::string::npos ? "" : text.substr(slash + 1), text);
  if (part.count < 1 || part.index >= part.count)
    throw InputError("--shard " + text + ": the part I of I/N counts from 0 and must be below N");
  return part;
}

PartRows part_rows(int64_t rows, int64_t batch, StorePart part) {
  const int64_t batches = (rows + batch - 1) / batch;
  if (part.count > batches)
    throw InputError("--shard " + std::to_string(part.index) + "/" + std::to_string(part.count) + ": the " +
                     std::to_string(rows) + " dataset rows make only " + std::to_string(batches) + " batches of " +
                     std::to_string(batch) + ", too few for " + std::to_string(part.count) +
                     " parts; use at most " + std::to_string(batches) + " parts or a smaller --batch");
  PartRows range;
  range.first = std::min(rows, part.index * batches / part.count * batch);
  range.end = std::min(rows, (part.index + 1) * batches / part.count * batch);
  return range;
}

}  // namespace loupe::store
