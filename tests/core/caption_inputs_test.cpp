// Captioning inputs that once reached users as a c10 error: zero images (a `narrow` past the end).
#include <catch2/catch.hpp>

#include "cli_run.h"
#include "core/error.h"
#include "core/model/caption.h"
#include "core/model/inputs.h"

using namespace loupe;

TEST_CASE("captioning zero images is a clear error", "[caption][errors]") {
  auto vlm = model::load_vlm(test::kDemoModel);
  const auto tokenizer = model::model_tokenizer(test::kDemoModel);
  const int64_t side = vlm->config.vision.image_size;
  model::Session session;
  CHECK_THROWS_WITH(model::caption_images(*vlm, *tokenizer, torch::zeros({0, 3, side, side}), {}, session),
                    Catch::Contains("there is no image to caption"));
}
