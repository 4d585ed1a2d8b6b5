// The `--shard I/N` partition (core/store/store_parts.h): the parts cover the dataset rows once, in
// order, each starting on a batch boundary, and impossible requests are refused.
#include <catch2/catch.hpp>

#include "core/error.h"
#include "core/store/store_parts.h"

using namespace loupe;

TEST_CASE("the parts of --shard I/N tile the rows on batch boundaries", "[store]") {
  for (int64_t rows = 1; rows <= 40; ++rows)
    for (int64_t batch = 1; batch <= 9; ++batch) {
      const int64_t batches = (rows + batch - 1) / batch;
      for (int64_t count = 1; count <= batches; ++count) {
        INFO(rows << " rows, batch " << batch << ", " << count << " parts");
        int64_t next = 0;
        for (int64_t index = 0; index < count; ++index) {
          const store::PartRows part = store::part_rows(rows, batch, {index, count});
          CHECK(part.first == next);
          CHECK(part.first % batch == 0);
          CHECK(part.end > part.first);  // no part is empty
          next = part.end;
        }
        CHECK(next == rows);
      }
      CHECK_THROWS_AS(store::part_rows(rows, batch, {0, batches + 1}), InputError);
    }
  const store::StorePart part = store::parse_store_part("3/8");
  CHECK(part.index == 3);
  CHECK(part.count == 8);
  for (const char* bad : {"8/8", "-1/8", "3/0", "3", "/8", "3/", "a/b", "3/8/9", "1 /8", "99999999999/1"})
    CHECK_THROWS_AS(store::parse_store_part(bad), InputError);
}
