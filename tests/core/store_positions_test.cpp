// Position rules of activation stores: which positions of a (row, language) sequence are stored.
#include <catch2/catch.hpp>

#include "core/error.h"
#include "core/store/positions.h"
#include "core/store/store_reader.h"

using namespace loupe;
using namespace loupe::store;

namespace {

// <bos> <start_of_image> img img <end_of_image> question... <start_of_turn> caption caption caption <end_of_turn>
const std::vector<int8_t> kTypes = {kTemplateToken, kTemplateToken, kImageToken, kImageToken, kTemplateToken,
                                    kTemplateToken, kTextToken,     kTextToken,  kTextToken,  kTemplateToken};

}  // namespace

TEST_CASE("position rules pick image, caption, last or every position", "[store]") {
  const Selection text = select_positions(PositionRule::Text, kTypes);
  CHECK(text.positions == std::vector<int64_t>{6, 7, 8});
  CHECK(text.types == std::vector<int8_t>(3, kTextToken));
  CHECK_FALSE(text.pooled);
  CHECK(select_positions(PositionRule::Image, kTypes).positions == std::vector<int64_t>{2, 3});
  CHECK(select_positions(PositionRule::All, kTypes).positions.size() == kTypes.size());
  CHECK(select_positions(PositionRule::All, kTypes).types == kTypes);
  const Selection last = select_positions(PositionRule::Last, kTypes);
  CHECK(last.positions == std::vector<int64_t>{9});
  CHECK(last.types == std::vector<int8_t>{kTemplateToken});

  const Selection mean_text = select_positions(PositionRule::MeanText, kTypes);
  CHECK(mean_text.pooled);
  CHECK(mean_text.positions == std::vector<int64_t>{6, 7, 8});      // averaged
  CHECK(mean_text.types == std::vector<int8_t>{kTextToken});        // one stored vector
  CHECK(select_positions(PositionRule::MeanImage, kTypes).types == std::vector<int8_t>{kImageToken});

  // An empty caption stores nothing under `text` and `mean-text`.
  const std::vector<int8_t> no_caption = {kTemplateToken, kImageToken, kTemplateToken};
  CHECK(select_positions(PositionRule::Text, no_caption).positions.empty());
  CHECK(select_positions(PositionRule::MeanText, no_caption).types.empty());
}

TEST_CASE("position rule names round-trip and unknown ones list the rules", "[store]") {
  for (const char* name : {"all", "image", "text", "last", "mean-image", "mean-text"})
    CHECK(std::string(position_rule_name(parse_position_rule(name))) == name);
  try {
    parse_position_rule("middle");
    FAIL("no exception");
  } catch (const InputError& error) {
    CHECK_THAT(error.what(), Catch::Contains("mean-text") && Catch::Contains("middle"));
  }
}
