// The result table (core/util/table.h): typed columns, RFC 4180 CSV and JSON in column order.
#include "core/util/table.h"

#include <catch2/catch.hpp>

#include <cmath>

#include "core/error.h"

using namespace loupe::util;

TEST_CASE("a result table writes typed cells as CSV and JSON", "[table]") {
  Table table({{"latent", ColumnType::Integer}, {"d", ColumnType::Real}, {"note", ColumnType::Text}});
  table.add_row({int64_t(3), 0.25, std::string("plain")});
  table.add_row({int64_t(4), int64_t(2), std::string("a, \"quoted\"\nline")});  // an integer in a real column
  table.add_row({int64_t(5), NAN, Cell()});                                      // NaN and empty: empty cells
  CHECK(table.row_count() == 3);
  CHECK(table.column_index("note") == 2);
  CHECK(table.csv() == "latent,d,note\n3,0.25,plain\n4,2,\"a, \"\"quoted\"\"\nline\"\n5,,\n");
  const auto json = table.json();
  REQUIRE(json.size() == 3);
  CHECK(json[0].begin().key() == "latent");  // column order, not sorted
  CHECK(json[1]["d"] == 2.0);
  CHECK(json[2]["d"].is_null());
  CHECK(json[2]["note"].is_null());
  CHECK(Table({{"x", ColumnType::Real}}).csv() == "x\n");
}

TEST_CASE("a result table refuses cells that do not fit their column", "[table]") {
  Table table({{"latent", ColumnType::Integer}, {"note", ColumnType::Text}});
  CHECK_THROWS_WITH(table.add_row({0.5, std::string("x")}), Catch::Contains("'latent' holds an integer"));
  CHECK_THROWS_WITH(table.add_row({int64_t(1)}), Catch::Contains("1 cells for 2 columns"));
  CHECK_THROWS_WITH(table.column_index("d"), Catch::Contains("no column 'd' (it has latent, note)"));
  CHECK_THROWS_AS(Table({{"a", ColumnType::Real}, {"a", ColumnType::Text}}), loupe::InputError);
}
