// Multi-image steering sweeps (study::steer_sweeps): every image's baseline and steered copies in
// one generation give what a sweep of that image alone gives, each steer on its own rows.
#include <catch2/catch.hpp>

#include <torch/torch.h>

#include <set>

#include "cli_run.h"
#include "core/model/inputs.h"
#include "core/model/vlm.h"
#include "core/study/steer_sweep.h"
#include "core/tensor/convert.h"

using namespace loupe;

TEST_CASE("steer_sweeps batches many images and matches one sweep per image", "[study][steering]") {
  const auto vlm = model::load_vlm(test::kDemoModel);
  const auto tokenizer = model::model_tokenizer(test::kDemoModel);
  torch::manual_seed(11);
  const std::string push = test::temp_path("sweeps-push.safetensors");
  tensor::save(push, {{"push", torch::randn({vlm->config.text.hidden})}});

  study::SweepRequest request;
  request.set = {study::parse_steer_spec("blocks.0.hook_resid_post=" + push + ":push@1@image")};
  request.alphas = {-6, 0, 6};
  request.max_new_tokens = 12;
  const std::string images = std::string(LOUPE_SOURCE_DIR) + "/assets/demo/images/";
  std::vector<study::SweepImage> sweep_images;
  for (const char* name : {"kitchen.png", "garage.png", "park.png", "workshop-woman.png"})
    sweep_images.push_back({images + name, {{"scene", std::string(name).substr(0, std::string(name).find_first_of("-."))}}});

  const std::vector<study::SweepResult> together = study::steer_sweeps(*vlm, *tokenizer, request, sweep_images);
  REQUIRE(together.size() == sweep_images.size());
  int compared = 0, agreeing = 0;
  std::set<std::string> baselines;
  for (size_t i = 0; i < sweep_images.size(); ++i) {
    study::SweepRequest alone = request;
    alone.image = sweep_images[i].image;
    alone.labels = sweep_images[i].labels;
    const study::SweepResult single = study::steer_sweep(*vlm, *tokenizer, alone);
    REQUIRE(together[i].steps.size() == 3);
    for (size_t l = 0; l < request.langs.size(); ++l) {
      baselines.insert(together[i].baseline[l].text);
      // Alpha 0 adds nothing: its row is the baseline's, within the one batch.
      CHECK(together[i].steps[1].captions[l].tokens == together[i].baseline[l].tokens);
      std::vector<std::pair<const study::SweepCaption*, const study::SweepCaption*>> pairs = {
          {&together[i].baseline[l], &single.baseline[l]}};
      for (size_t s = 0; s < 3; ++s) pairs.push_back({&together[i].steps[s].captions[l], &single.steps[s].captions[l]});
      for (const auto& [batched, own] : pairs) {
        ++compared;
        // A larger batch rounds differently; a near tie may pick another token, rarely.
        if (batched->tokens != own->tokens) continue;
        ++agreeing;
        CHECK(batched->log_likelihood == Approx(own->log_likelihood).epsilon(1e-4).margin(1e-3));
        CHECK(batched->scene_kept == own->scene_kept);
        CHECK(batched->gender == own->gender);
      }
    }
  }
  CHECK(baselines.size() > 2);  // the images' own captions, not one row repeated
  CHECK(agreeing >= compared * 9 / 10);
  CHECK_THROWS_WITH(study::steer_sweeps(*vlm, *tokenizer, request, {}), Catch::Contains("at least one image"));
}
