// `loupe steer` on the demo workspace: a steering set with the gender direction flips the kitchen
// caption, the scene and activity survive, the sweep runs every alpha in one batch per language,
// the log-likelihood agrees with the caption's own token probabilities, and bad input is refused.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "support/temp_dir.h"

using loupe::test::run_loupe;
namespace fs = std::filesystem;

namespace {

const std::string& kImages = loupe::test::kDemoImages;
using loupe::test::kKitchen;

// A demo workspace with the caption-gender direction at blocks.0 and a set that steers with it.
struct SteerStudy {
  loupe::test::TempDir dir{"loupe-steer"};
  fs::path root = dir.path / "study";
  fs::path set = root / "steering" / "gender.json";

  SteerStudy() {
    REQUIRE(run_loupe("init --workspace " + loupe::test::quoted(root) + " --dataset " + loupe::test::quoted(kImages)).status == 0);
    fs::create_directories(root / "directions");
    const auto made = run_loupe("direction --data " + loupe::test::quoted(kImages) + " --hook blocks.0.hook_resid_post --out " +
                                loupe::test::quoted(root / "directions" / "gender.safetensors"));
    INFO(made.err);
    REQUIRE(made.status == 0);
    write_set(R"([{"hook": "blocks.0.hook_resid_post", "direction": "../directions/gender.safetensors:gender-caption",
                   "alpha": -2, "positions": "image"}])");
  }
  void write_set(const std::string& text) const {
    fs::create_directories(set.parent_path());
    std::ofstream(set) << text;
  }
  loupe::test::CliRun steer(const std::string& options) const {
    return run_loupe("steer --workspace " + loupe::test::quoted(root) + " --set " + loupe::test::quoted(set) + " " + options);
  }
  // A run that must succeed, its --json output parsed.
  nlohmann::json steer_json(const std::string& options) const {
    const auto run = steer(options + " --json");
    INFO(run.err);
    REQUIRE(run.status == 0);
    return nlohmann::json::parse(run.out);
  }
};

}  // namespace

TEST_CASE("loupe steer flips the kitchen caption with the set and keeps its scene and activity", "[cli][steering]") {
  const SteerStudy study;
  const auto result = study.steer_json("--image " + loupe::test::quoted(kKitchen) + " --lang en");
  const auto& baseline = result["baseline"]["en"];
  CHECK(baseline["gender"] == "female");
  REQUIRE(result["steps"].size() == 1);
  const auto& step = result["steps"][0];
  CHECK(step["alpha"].is_null());  // the set's own alpha
  CHECK(step["en"].get<std::string>().find("a man ") == 0);
  CHECK(step["gender_en"] == "male");
  CHECK(step["scene_kept_en"] == true);
  CHECK(step["activity_kept_en"] == true);
  CHECK(baseline["scene_kept"] == true);
  CHECK_FALSE(result["baseline"].contains("ar"));

  // The unsteered model prefers its own caption; each log-likelihood is the sum of the log
  // probabilities `loupe caption --choices` reports for the baseline caption's tokens.
  CHECK(step["log_likelihood_en"].get<double>() < baseline["log_likelihood"].get<double>());
  const auto choices = run_loupe("caption --image " + loupe::test::quoted(kKitchen) + " --lang en --json --choices");
  REQUIRE(choices.status == 0);
  const auto traced = nlohmann::json::parse(choices.out);
  double total = 0;
  for (const auto& chip : traced["choices"]) total += std::log(chip["probability"].get<double>());
  CHECK(baseline["log_likelihood"].get<double>() == Approx(total).epsilon(1e-4));

  const auto text = study.steer("--image " + loupe::test::quoted(kKitchen) + " --lang en");
  REQUIRE(text.status == 0);
  CHECK_THAT(text.out, Catch::Contains("baseline") && Catch::Contains("set") && Catch::Contains("a man "));
}

TEST_CASE("loupe steer --sweep captions every alpha in both languages", "[cli][steering]") {
  const SteerStudy study;
  const auto result = study.steer_json("--image " + loupe::test::quoted(kKitchen) + " --sweep alpha=-2:0:1");
  REQUIRE(result["steps"].size() == 3);
  CHECK(result["steps"][0]["alpha"] == -2.0);
  CHECK(result["steps"][2]["alpha"] == 0.0);
  for (const char* lang : {"en", "ar"}) {
    INFO(lang);
    const std::string code = lang;
    // Alpha 0 adds nothing: the baseline caption.
    CHECK(result["steps"][2][code] == result["baseline"][code]["text"]);
    CHECK(result["steps"][2]["gender_" + code] == result["baseline"][code]["gender"]);
    CHECK(result["steps"][0]["log_likelihood_" + code].get<double>() <= 0.0);
  }
  CHECK(result["steps"][0]["gender_en"] == "male");
}

TEST_CASE("loupe steer refuses a bad set, sweep or image before any captioning", "[cli][steering][errors]") {
  const SteerStudy study;
  const std::string image = "--image " + loupe::test::quoted(kKitchen);
  const auto expect_error = [&](const loupe::test::CliRun& run, const std::string& part) {
    INFO(run.err);
    CHECK(run.status == 1);
    CHECK_THAT(run.err, Catch::Contains(part));
    CHECK(run.out.empty());
  };
  expect_error(study.steer(image + " --sweep alpha=1:0:1"), "no steps");
  expect_error(study.steer("--image /no/such.png"), "no such image");
  expect_error(study.steer(image + " --lang fr"), "--lang");
  study.write_set(R"([{"hook": "blocks.9.hook_resid_post", "direction": "../directions/gender.safetensors:gender-caption", "alpha": 1}])");
  expect_error(study.steer(image), "blocks.9");
  study.write_set(R"([{"hook": "vision.blocks.0.hook_resid_post", "direction": "../directions/gender.safetensors:gender-caption", "alpha": 1}])");
  expect_error(study.steer(image), "wide");
  study.write_set(R"([{"hook": "blocks.0.hook_resid_post", "direction": "../directions/gender.safetensors:nope", "alpha": 1}])");
  expect_error(study.steer(image), "nope");
  study.write_set(R"([{"hook": "blocks.0.hook_resid_post", "direction": "../directions/gender.safetensors:gender-caption", "alpha": "big"}])");
  expect_error(study.steer(image), "`alpha`");
  study.write_set("not json");
  expect_error(study.steer(image), "gender.json");
}

TEST_CASE("loupe steer --split writes the dose-response table of a split", "[cli][steering]") {
  const SteerStudy study;
  const auto table = study.steer_json("--split balanced --sweep alpha=-2:0:2 --lang en --out dose");
  REQUIRE(table.size() == 2);  // alphas -2 and 0, English
  const auto& steered = table[0];
  const auto& unchanged = table[1];
  CHECK(steered["alpha"] == -2.0);
  CHECK(steered["lang"] == "en");
  CHECK(steered["rows"] == 6);
  CHECK(steered["gendered"].get<int>() >= 1);
  CHECK(steered["flips"].get<int>() >= 1);  // the kitchen caption flips at -2
  CHECK(steered["flip_rate"].get<double>() == Approx(steered["flips"].get<double>() / steered["gendered"].get<double>()));
  CHECK(steered["flips"].get<int>() == steered["flips_to_male"].get<int>() + steered["flips_to_female"].get<int>());
  CHECK(steered["gendered"].get<int>() == steered["female_baselines"].get<int>() + steered["male_baselines"].get<int>());
  CHECK(steered["flips_to_male"].get<int>() >= 1);  // the direction is woman − man: a negative alpha moves toward "man"
  CHECK(unchanged["flips"] == 0);  // alpha 0 adds nothing
  CHECK(unchanged["flip_rate"] == 0.0);
  CHECK(unchanged["scene_kept"] == 1.0);  // the demo model names every demo scene
  CHECK(unchanged["activity_kept"] == 1.0);
  CHECK(unchanged["log_likelihood"].get<double>() == Approx(unchanged["baseline_log_likelihood"].get<double>()));

  const fs::path folder = study.root / "analyses" / "dose";
  CHECK(fs::exists(folder / "dose_response.csv"));
  CHECK(nlohmann::json::parse(std::ifstream(folder / "dose_response.json")) == table);
  std::ifstream runs(study.root / "runs.jsonl");
  std::string line, last;
  while (std::getline(runs, line)) last = line;
  const auto record = nlohmann::json::parse(last);
  CHECK(record["command"] == "steer");
  CHECK(record["outcome"] == "ok");

  // --where keeps the split's rows whose labels match: the balanced split's 3 woman figures.
  const auto women = study.steer_json("--split balanced --where gender=woman --lang en --out women");
  CHECK(women[0]["rows"] == 3);
  const auto no_column = study.steer("--split balanced --where colour=red --out none");
  CHECK(no_column.status == 1);
  CHECK_THAT(no_column.err, Catch::Contains("no column 'colour'"));
  const auto no_rows = study.steer("--split nosuch --out none");
  CHECK(no_rows.status == 1);
  CHECK_THAT(no_rows.err, Catch::Contains("nosuch"));
  CHECK_FALSE(fs::exists(study.root / "analyses" / "none"));
  const auto both = study.steer("--split balanced --image " + loupe::test::quoted(kKitchen));
  CHECK(both.status == 1);
  CHECK_THAT(both.err, Catch::Contains("--image PATH") && Catch::Contains("--split S"));
}
