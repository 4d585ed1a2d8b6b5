// `loupe mitigate` (core/study/mitigation.h) on a demo workspace over a synth split: a set that
// changes nothing leaves every figure as it was, a strong one changes captions; McNemar's exact
// test against hand-computed binomial tails; and the refusals.
#include <catch2/catch.hpp>

#include <torch/torch.h>

#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "core/analysis/paired_tests.h"
#include "core/tensor/convert.h"
#include "core/util/atomic_file.h"
#include "support/temp_dir.h"

using namespace loupe;
namespace fs = std::filesystem;

TEST_CASE("McNemar's exact test is the two-sided binomial tail of the discordant pairs", "[analysis][mitigate]") {
  CHECK(analysis::mcnemar_exact(0, 0).p == 1.0);
  CHECK(analysis::mcnemar_exact(0, 5).p == Approx(2.0 / 32));           // 2 · P(X = 0), X ~ B(5, ½)
  CHECK(analysis::mcnemar_exact(1, 9).p == Approx(2.0 * 11 / 1024));     // 2 · (1 + 10) / 2¹⁰
  CHECK(analysis::mcnemar_exact(9, 1).p == Approx(2.0 * 11 / 1024));     // symmetric
  CHECK(analysis::mcnemar_exact(3, 3).p == 1.0);                         // capped at 1
  CHECK(analysis::mcnemar_exact(7, 2).b == 7);
}

TEST_CASE("loupe mitigate captions a split with and without a steering set", "[cli][mitigate]") {
  test::TempDir dir("loupe-mitigate");
  const fs::path root = dir.path / "ws";
  const std::string ws = " --workspace '" + root.string() + "'";
  REQUIRE(test::run_loupe("synth --out '" + (dir.path / "data").string() + "' --n 24 --seed 5").status == 0);
  REQUIRE(test::run_loupe("init" + ws + " --model '" + test::kDemoModel + "' --dataset '" + (dir.path / "data").string() + "'")
              .status == 0);
  torch::manual_seed(3);
  tensor::save((dir.path / "push.safetensors").string(), {{"push", torch::randn({256})}});
  const auto write_set = [&](double alpha) {
    const fs::path file = dir.path / "set.json";
    util::write_file_atomic(file.string(), R"([{"hook": "blocks.0.hook_resid_post", "direction": "push.safetensors:push", "alpha": )" +
                                               std::to_string(alpha) + "}]");
    return " --set '" + file.string() + "'";
  };

  const auto still = test::run_loupe("mitigate" + ws + write_set(0) + " --split train --limit 6 --json");
  INFO(still.err);
  REQUIRE(still.status == 0);
  const auto same = nlohmann::json::parse(still.out);
  CHECK(same["images"] == 6);
  for (const char* lang : {"en", "ar"}) {
    INFO(lang);
    CHECK(same[lang]["changed"] == 0.0);
    CHECK(same[lang]["baseline"] == same[lang]["intervened"]);
    CHECK(same[lang]["error_flips"]["mcnemar_p"] == 1.0);
    for (const char* kind : {"counter", "stereotypical"}) {
      REQUIRE(same[lang]["gender_changes"][kind].size() == 6);
      for (const auto& count : same[lang]["gender_changes"][kind]) CHECK(count == 0);
    }
    for (const char* key : {"misgendered_counter", "misgendered_stereo", "gendered_neutral", "bleu", "rouge_l"})
      CHECK(same[lang]["baseline"].contains(key));
  }
  CHECK(fs::exists(root / "analyses" / "mitigate" / "mitigation.json"));

  const auto pushed = test::run_loupe("mitigate" + ws + write_set(40) + " --split train --limit 6 --out strong --json");
  INFO(pushed.err);
  REQUIRE(pushed.status == 0);
  const auto moved = nlohmann::json::parse(pushed.out);
  CHECK(moved["en"]["changed"].get<double>() + moved["ar"]["changed"].get<double>() > 0.0);
  // Every gender error fixed or introduced is one of the gender-word changes.
  for (const char* lang : {"en", "ar"}) {
    int64_t fixed = 0, introduced = 0;
    for (const char* kind : {"counter", "stereotypical"}) {
      const auto& changes = moved[lang]["gender_changes"][kind];
      fixed += changes["wrong_to_none"].get<int64_t>() + changes["wrong_to_right"].get<int64_t>();
      introduced += changes["right_to_wrong"].get<int64_t>() + changes["none_to_wrong"].get<int64_t>();
    }
    CHECK(fixed <= moved[lang]["error_flips"]["fixed"].get<int64_t>());
    CHECK(introduced <= moved[lang]["error_flips"]["introduced"].get<int64_t>());
  }

  // An ablation set: attention to the image knocked out at every layer leaves the model blind, so
  // every image gets one caption per language.
  util::write_file_atomic((dir.path / "blind.json").string(), R"([{"ablate": "knockout", "layers": [0, 1, 2, 3]}])");
  const auto blind = test::run_loupe("mitigate" + ws + " --set '" + (dir.path / "blind.json").string() +
                                     "' --split train --limit 6 --out blind --json");
  INFO(blind.err);
  REQUIRE(blind.status == 0);
  const auto knocked = nlohmann::json::parse(blind.out);
  CHECK(knocked["set"].empty());
  REQUIRE(knocked["ablations"].size() == 1);
  CHECK(knocked["ablations"][0]["positions"] == "non-image");
  REQUIRE(knocked["captions"].size() == 6);
  std::set<std::string> baseline_en, blind_en, blind_ar;
  for (const auto& caption : knocked["captions"]) {
    baseline_en.insert(caption["en"].get<std::string>());
    blind_en.insert(caption["en_intervened"].get<std::string>());
    blind_ar.insert(caption["ar_intervened"].get<std::string>());
  }
  CHECK(baseline_en.size() > 1);
  CHECK(blind_en.size() == 1);
  CHECK(blind_ar.size() == 1);
  CHECK(knocked["en"]["changed"].get<double>() > 0.0);

  // Steers and ablations together; a head mean ablation averages over the split's images.
  util::write_file_atomic((dir.path / "both.json").string(),
                          R"([{"hook": "blocks.0.hook_resid_post", "direction": "push.safetensors:push", "alpha": 0},
                              {"ablate": "heads", "heads": "1.1,2.1", "how": "mean"}])");
  const auto both = test::run_loupe("mitigate" + ws + " --set '" + (dir.path / "both.json").string() +
                                    "' --split train --limit 4 --out both --json");
  INFO(both.err);
  REQUIRE(both.status == 0);
  const auto mixed = nlohmann::json::parse(both.out);
  CHECK(mixed["set"].size() == 1);
  CHECK(mixed["ablations"][0]["heads"] == "1.1,2.1");
  CHECK(mixed["ablations"][0]["how"] == "mean");

  util::write_file_atomic((dir.path / "badhead.json").string(), R"([{"ablate": "heads", "heads": "1.9"}])");
  const auto badhead = test::run_loupe("mitigate" + ws + " --set '" + (dir.path / "badhead.json").string() +
                                       "' --split train --limit 2 --out badhead");
  CHECK(badhead.status == 1);
  CHECK_THAT(badhead.err, Catch::Contains("head 1.9"));
  CHECK_FALSE(fs::exists(root / "analyses" / "badhead"));

  const auto split = test::run_loupe("mitigate" + ws + write_set(1) + " --split dev --out bad");
  CHECK(split.status == 1);
  const auto hook = [&] {
    util::write_file_atomic((dir.path / "bad.json").string(),
                            R"([{"hook": "blocks.9.hook_resid_post", "direction": "push.safetensors:push", "alpha": 1}])");
    return test::run_loupe("mitigate" + ws + " --set '" + (dir.path / "bad.json").string() + "' --split balanced --out bad");
  }();
  CHECK(hook.status == 1);
  CHECK_THAT(hook.err, Catch::Contains("blocks.9"));
  CHECK_FALSE(fs::exists(root / "analyses" / "bad"));
}
