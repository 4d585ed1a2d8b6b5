// When a new live request may let the running one finish (a slider drag) and when it must cancel it.
#include <catch2/catch.hpp>

#include "ui/live/live_types.h"

using loupe::ui::Direction;
using loupe::ui::LiveRequest;
using loupe::ui::same_except_alphas;

TEST_CASE("a drag changes only alphas, anything else is a different request", "[gui][live]") {
  auto gender = std::make_shared<const Direction>(Direction{"gender", "blocks.1.hook_resid_post", "", {1, 2}, 10});
  auto other = std::make_shared<const Direction>(Direction{"other", "blocks.1.hook_resid_post", "", {3, 4}, 10});
  LiveRequest a;
  a.image = "kitchen.png";
  a.steers.push_back({gender, "blocks.1.hook_resid_post", loupe::PositionKind::Image, 0.0});
  LiveRequest b = a;
  b.steers[0].alpha = -6;
  CHECK(same_except_alphas(a, b));

  LiveRequest image = b;
  image.image = "garage.png";
  CHECK_FALSE(same_except_alphas(a, image));
  LiveRequest hook = b;
  hook.steers[0].hook = "blocks.2.hook_resid_post";
  CHECK_FALSE(same_except_alphas(a, hook));
  LiveRequest direction = b;
  direction.steers[0].direction = other;
  CHECK_FALSE(same_except_alphas(a, direction));
  LiveRequest positions = b;
  positions.steers[0].positions = loupe::PositionKind::Text;
  CHECK_FALSE(same_except_alphas(a, positions));
  LiveRequest heatmap = b;
  heatmap.heatmap.quantity = loupe::ui::HeatQuantity::Attention;
  CHECK_FALSE(same_except_alphas(a, heatmap));
  LiveRequest more = b;
  more.steers.push_back({other, "blocks.1.hook_resid_post", loupe::PositionKind::Image, 1.0});
  CHECK_FALSE(same_except_alphas(a, more));
}
