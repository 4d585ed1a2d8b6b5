// `loupe eval-captions` on the demo model and a small synth dataset: BLEU, ROUGE-L and the caption
// bias measures (core/eval/caption_report.h) appear per language, as JSON and as text.
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_run.h"

using loupe::test::CliRun;
using loupe::test::run_loupe;

TEST_CASE("loupe eval-captions reports BLEU, ROUGE-L and the bias measures per language", "[cli][bias]") {
  const std::string data = loupe::test::temp_path("eval-captions-data");
  REQUIRE(run_loupe("synth --out '" + data + "' --n 48 --seed 2").status == 0);

  const CliRun json = run_loupe("eval-captions --data '" + data + "' --limit 8 --json");
  INFO(json.err);
  REQUIRE(json.status == 0);
  const nlohmann::json metrics = nlohmann::json::parse(json.out);
  CHECK(metrics["bias_reference_split"] == "train");
  for (const char* language : {"en", "ar"}) {
    INFO(language);
    const nlohmann::json& report = metrics[language];
    CHECK(report["bleu"].get<double>() >= 0.0);
    CHECK(report["bleu"].get<double>() <= 100.0);
    CHECK(report["rouge_l"].get<double>() >= 0.0);
    CHECK(report["rouge_l"].get<double>() <= 1.0);
    const nlohmann::json& bias = report["bias"];
    CHECK(bias["accuracy"]["woman_images"].get<int>() + bias["accuracy"]["man_images"].get<int>() <= 8);
    CHECK(bias["ratio"].contains("truth"));
    CHECK(bias["amplification"]["scenes"].is_array());
    CHECK(bias["amplification"]["scenes"][0].contains("reference_share"));
    CHECK(bias["leakage"].contains("lic"));
  }

  const CliRun text = run_loupe("eval-captions --data '" + data + "' --limit 8");
  REQUIRE(text.status == 0);
  CHECK_THAT(text.out, Catch::Contains("en BLEU ") && Catch::Contains("en woman:man ratio"));
  CHECK_THAT(text.out, Catch::Contains("ar BLEU ") && Catch::Contains("(reference: the train split)") &&
                           Catch::Contains("LIC "));
  std::filesystem::remove_all(data);
}
