// The one positions vocabulary (core/text/position_selector.h): each word picks by token type and
// means the same for stores, steering, ablation and SAE evaluation.
#include <catch2/catch.hpp>

#include "core/error.h"
#include "core/text/position_selector.h"
#include "core/text/token_type.h"

using namespace loupe;

namespace {

// <bos> img img <end_of_image> question <start_of_turn> caption caption <end_of_turn>
const std::vector<int8_t> kTypes = {kTemplateToken, kImageToken, kImageToken, kTemplateToken, kTemplateToken,
                                    kTemplateToken, kTextToken,  kTextToken,  kTemplateToken};

std::vector<int64_t> picked(const std::string& word) { return select_positions(parse_positions(word), kTypes); }

}  // namespace

TEST_CASE("each positions word picks its token types", "[positions]") {
  CHECK(picked("all").size() == kTypes.size());
  CHECK(picked("image") == std::vector<int64_t>{1, 2});
  CHECK(picked("text") == std::vector<int64_t>{6, 7});
  CHECK(picked("template") == std::vector<int64_t>{0, 3, 4, 5, 8});
  CHECK(picked("non-image") == std::vector<int64_t>{0, 3, 4, 5, 6, 7, 8});
  CHECK(picked("last") == std::vector<int64_t>{8});
  CHECK(picked("7,2,40") == std::vector<int64_t>{7, 2});  // positions past the sequence are dropped
  CHECK(picked("mean-text") == std::vector<int64_t>{6, 7});
  CHECK(select_positions(parse_positions("last"), {}).empty());
}

TEST_CASE("positions words round-trip; the older steering word `generated` reads as text", "[positions]") {
  for (const char* word : {"all", "image", "text", "template", "non-image", "last", "mean-image", "mean-text",
                           "mean-template", "6,14,29", "0"})
    CHECK(positions_word(parse_positions(word)) == word);
  CHECK(parse_positions("generated") == parse_positions("text"));
  CHECK(parse_positions("mean-text").mean);
  CHECK(pooled_type(PositionKind::Template) == kTemplateToken);
  CHECK(pooled_type(PositionKind::All) == -1);
}

TEST_CASE("unknown positions words list the vocabulary", "[positions]") {
  for (const char* bad : {"", "middle", "mean-all", "mean-last", "mean-6", "6,", "-1", "6 ,7", "+6"}) {
    INFO(bad);
    try {
      parse_positions(bad);
      FAIL("no exception");
    } catch (const InputError& error) {
      CHECK_THAT(error.what(), Catch::Contains("non-image") && Catch::Contains("comma list"));
    }
  }
}

TEST_CASE("each action refuses the positions words it cannot use, naming the ones it takes", "[positions]") {
  const PositionUse steering{"steering", false, false, true};
  CHECK_NOTHROW(require_positions(parse_positions("6,14"), steering));
  CHECK_NOTHROW(require_positions(parse_positions("template"), steering));
  try {
    require_positions(parse_positions("mean-image"), steering);
    FAIL("no exception");
  } catch (const InputError& error) {
    CHECK_THAT(error.what(), Catch::Contains("mean-image") && Catch::Contains("steering") &&
                                 Catch::Contains("comma list") && !Catch::Contains("mean-text"));
  }
  CHECK_THROWS_AS(require_positions(parse_positions("last"), steering), InputError);
  CHECK_THROWS_AS(require_positions(parse_positions("1,2"), PositionUse{"a store", true, true, false}), InputError);
}
