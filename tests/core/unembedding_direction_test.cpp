// Directions read off the unembedding (core/study/unembedding_direction.h): the vector against
// the model's own weights, `loupe direction --from unembedding` writing it, a steer with it making
// the demo model's kitchen caption gender-neutral in both languages, and the refusals.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "core/error.h"
#include "core/io/safetensors.h"
#include "core/model/layers.h"
#include "core/model/vlm.h"
#include "core/study/unembedding_direction.h"
#include "core/tensor/convert.h"
#include "support/temp_dir.h"

using namespace loupe;
namespace fs = std::filesystem;

TEST_CASE("an unembedding direction is the final norm's gain times the words' W_U rows toward minus away", "[steering][direction]") {
  const auto vlm = model::load_vlm(test::kDemoModel);
  const auto tokenizer = model::model_tokenizer(test::kDemoModel);
  const study::StoreDirection direction = study::unembedding_direction(*vlm, *tokenizer, {{"person"}, {"woman", "man"}, ""});
  CHECK(direction.hook == "blocks.3.hook_resid_post");  // the demo decoder's last layer
  // The demo vocabulary spells man both ways (after "a" and at a sentence's start), person and woman spaced only.
  CHECK(direction.provenance["toward"] == nlohmann::json::array({"\xE2\x96\x81person"}));
  CHECK(direction.provenance["away"] == nlohmann::json::array({"\xE2\x96\x81woman", "man", "\xE2\x96\x81man"}));
  const torch::Tensor unembedding = vlm->language_model->unembedding().to(torch::kFloat64);
  const auto row = [&](const char* token) { return unembedding[*tokenizer->find_token(token)]; };
  const torch::Tensor away = (row("\xE2\x96\x81woman") + row("man") + row("\xE2\x96\x81man")) / 3;
  const torch::Tensor expected = (1 + vlm->language_model->model->norm->weight.to(torch::kFloat64)) * (row("\xE2\x96\x81person") - away);
  CHECK(torch::allclose(direction.values.to(torch::kFloat64), expected, 1e-5, 1e-6));

  // Through the final norm and the unembedding, the direction raises person's logit against woman's.
  const torch::Tensor logits = torch::matmul(unembedding, model::rms_gain(*vlm->language_model->model->norm) * expected);
  CHECK(logits[*tokenizer->find_token("\xE2\x96\x81person")].item<double>() >
        logits[*tokenizer->find_token("\xE2\x96\x81woman")].item<double>());

  const auto refusal = [&](const study::UnembeddingDirectionRequest& request) {
    try {
      study::unembedding_direction(*vlm, *tokenizer, request);
    } catch (const InputError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(refusal({{"zebra"}, {"man"}, ""}), Catch::Contains("'zebra' is not one token"));
  CHECK_THAT(refusal({{}, {"man"}, ""}), Catch::Contains("--toward"));
  CHECK_THAT(refusal({{"man"}, {"woman", "man"}, ""}), Catch::Contains("both sides"));
  CHECK_THAT(refusal({{"person"}, {"man"}, "blocks.9.hook_resid_post"}), Catch::Contains("blocks.9"));
  CHECK_THAT(refusal({{"person"}, {"man"}, "blocks.1.attn.hook_q"}), Catch::Contains("residual stream"));
}

TEST_CASE("loupe direction --from unembedding steers the kitchen caption to a neutral person in both languages", "[cli][steering][direction]") {
  test::TempDir dir("loupe-unembed");
  const fs::path root = dir.path / "study";
  REQUIRE(test::run_loupe("init --workspace " + test::quoted(root) + " --dataset " + test::quoted(test::kDemoImages)).status == 0);
  const std::string direction = "direction --workspace " + test::quoted(root) + " --from unembedding ";
  for (const auto& [words, name] : {std::pair{"--toward person --away woman,man", "en"},
                                    std::pair{"--toward شخص --away امرأة,رجل", "ar"}}) {
    const auto made = test::run_loupe(direction + words + " --name " + name);
    INFO(made.err);
    REQUIRE(made.status == 0);
    const fs::path file = root / "directions" / (std::string(name) + ".safetensors");
    CHECK(io::SafeTensors::open(file.string()).metadata().at(name) == "blocks.3.hook_resid_post");
    CHECK(nlohmann::json::parse(io::SafeTensors::open(file.string()).metadata().at("provenance"))["kind"] == "unembedding");
  }
  // The Arabic words' direction at the last layer, at every position, neutralises both captions
  // (on the demo model the English caption turns at alpha 300, the Arabic one by 150:
  // docs/interventions.md).
  const fs::path set = root / "steering" / "neutral.json";
  fs::create_directories(set.parent_path());
  std::ofstream(set) << R"([{"hook": "blocks.3.hook_resid_post", "direction": "../directions/ar.safetensors:ar", "alpha": 350}])";
  const auto steered = test::run_loupe("steer --workspace " + test::quoted(root) + " --image " + test::quoted(test::kKitchen) +
                                       " --lang both --set " + test::quoted(set) + " --json");
  INFO(steered.err);
  REQUIRE(steered.status == 0);
  const auto result = nlohmann::json::parse(steered.out);
  CHECK(result["baseline"]["en"]["gender"] == "female");
  const auto& step = result["steps"][0];
  INFO(step.dump());
  CHECK(step["gender_en"] == "neutral");
  CHECK(step["gender_ar"] == "neutral");
  CHECK(step["scene_kept_en"] == true);
  CHECK(step["scene_kept_ar"] == true);

  test::check_loupe_refuses(direction + "--toward zebra --away man --name bad", "'zebra'");
  test::check_loupe_refuses(direction + "--toward person --name bad", "--away");
  CHECK_FALSE(fs::exists(root / "directions" / "bad.safetensors"));
}
