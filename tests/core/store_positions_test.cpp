// Position selectors of activation stores: which positions of a (row, language) sequence are stored.
#include <catch2/catch.hpp>

#include "core/error.h"
#include "core/store/positions.h"
#include "core/text/token_type.h"

using namespace loupe;
using namespace loupe::store;

namespace {

// <bos> <start_of_image> img img <end_of_image> question... <start_of_turn> caption caption caption <end_of_turn>
const std::vector<int8_t> kTypes = {kTemplateToken, kTemplateToken, kImageToken, kImageToken, kTemplateToken,
                                    kTemplateToken, kTextToken,     kTextToken,  kTextToken,  kTemplateToken};

}  // namespace

TEST_CASE("store selectors pick image, caption, last or every position", "[store]") {
  const Selection text = select_stored(parse_positions("text"), kTypes);
  CHECK(text.positions == std::vector<int64_t>{6, 7, 8});
  CHECK(text.types == std::vector<int8_t>(3, kTextToken));
  CHECK_FALSE(text.pooled);
  CHECK(select_stored(parse_positions("image"), kTypes).positions == std::vector<int64_t>{2, 3});
  CHECK(select_stored(parse_positions("all"), kTypes).positions.size() == kTypes.size());
  CHECK(select_stored(parse_positions("all"), kTypes).types == kTypes);
  const Selection last = select_stored(parse_positions("last"), kTypes);
  CHECK(last.positions == std::vector<int64_t>{9});
  CHECK(last.types == std::vector<int8_t>{kTemplateToken});

  const Selection mean_text = select_stored(parse_positions("mean-text"), kTypes);
  CHECK(mean_text.pooled);
  CHECK(mean_text.positions == std::vector<int64_t>{6, 7, 8});      // averaged
  CHECK(mean_text.types == std::vector<int8_t>{kTextToken});        // one stored vector
  CHECK(select_stored(parse_positions("mean-image"), kTypes).types == std::vector<int8_t>{kImageToken});

  // An empty caption stores nothing under `text` and `mean-text`.
  const std::vector<int8_t> no_caption = {kTemplateToken, kImageToken, kTemplateToken};
  CHECK(select_stored(parse_positions("text"), no_caption).positions.empty());
  CHECK(select_stored(parse_positions("mean-text"), no_caption).types.empty());
}

TEST_CASE("stores take every positions word but a list", "[store]") {
  for (const char* word : {"all", "image", "text", "template", "non-image", "last", "mean-image", "mean-text", "mean-template"})
    CHECK_NOTHROW(require_positions(parse_positions(word), kStorePositions));
  CHECK_THROWS_AS(require_positions(parse_positions("6,7"), kStorePositions), InputError);
  const Selection mean_template = select_stored(parse_positions("mean-template"), kTypes);
  CHECK(mean_template.positions == std::vector<int64_t>{0, 1, 4, 5, 9});
  CHECK(mean_template.types == std::vector<int8_t>{kTemplateToken});
}
