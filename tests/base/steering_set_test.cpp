// Steering sets (core/study/steering_set.h): the JSON list `loupe steer --set` reads, its defaults,
// relative sources anchored at the set file's folder, a round trip through the writer, and an
// error naming the entry and the field for every bad file.
#include <catch2/catch.hpp>

#include "core/error.h"
#include <nlohmann/json.hpp>

#include "core/study/steering_set.h"
#include "support/temp_dir.h"

using Catch::Matchers::Contains;
using loupe::FormatError;
using loupe::InputError;
using loupe::PositionKind;
using loupe::test::message_of;
namespace study = loupe::study;

TEST_CASE("a steering set reads its steers with their defaults and anchors relative sources", "[study][steering]") {
  const auto set = study::parse_steering_set(R"([
    {"hook": "blocks.0.hook_resid_post", "direction": "gender.safetensors:gender-caption", "alpha": -2, "positions": "image"},
    {"hook": "blocks.1.hook_resid_post", "direction": "/abs/d.safetensors:v", "alpha": 0.5, "mode": "cap"},
    {"hook": "blocks.2.hook_mlp_out", "direction": "sae:saes/layer2#17", "alpha": 3, "positions": "6,7", "mode": "orthogonal"}
  ])", "set.json", "/study/steering");
  REQUIRE(set.size() == 3);
  CHECK(set[0].hook == "blocks.0.hook_resid_post");
  CHECK(set[0].source == "/study/steering/gender.safetensors:gender-caption");
  CHECK(set[0].alpha == -2);
  CHECK(set[0].positions.kind == PositionKind::Image);
  CHECK(set[0].mode == study::SteerMode::Additive);
  CHECK(set[1].source == "/abs/d.safetensors:v");
  CHECK(set[1].positions.kind == PositionKind::All);
  CHECK(set[1].mode == study::SteerMode::Cap);
  CHECK(set[2].sae_folder == "/study/steering/saes/layer2");
  CHECK(set[2].sae_latent == 17);
  CHECK(set[2].source == "sae:/study/steering/saes/layer2#17");
  CHECK(set[2].positions.list == std::vector<int64_t>{6, 7});
  CHECK(set[2].mode == study::SteerMode::Orthogonal);

  // What the writer writes reads back to the same steers.
  const auto again = study::parse_steering_set(study::steering_set_json(set), "again.json", "");
  REQUIRE(again.size() == set.size());
  for (size_t i = 0; i < set.size(); ++i) CHECK(study::steer_spec_word(again[i]) == study::steer_spec_word(set[i]));
}

TEST_CASE("a bad steering set file is refused naming the entry and the field", "[study][steering][errors]") {
  const auto error_of = [](const std::string& text) {
    return message_of<loupe::Error>([&] { study::parse_steering_set(text, "set.json", "/s"); });
  };
  const std::string good = R"("hook": "blocks.0.hook_resid_post", "direction": "d.safetensors:v")";
  CHECK_THAT(error_of("{}"), Contains("set.json") && Contains("JSON list of steers"));
  CHECK_THAT(error_of("[]"), Contains("holds no steer"));
  CHECK_THAT(error_of("[1"), Contains("set.json") && Contains("malformed JSON"));
  CHECK_THAT(error_of("[3]"), Contains("[0]"));
  CHECK_THAT(error_of("[{" + good + R"(, "alpha": "x"}])"), Contains("[0]") && Contains("`alpha`") && Contains("number"));
  CHECK_THAT(error_of("[{" + good + "}]"), Contains("`alpha`"));
  CHECK_THAT(error_of("[{" + good + R"(, "alpha": 1}, {"direction": "d.safetensors:v", "alpha": 1}])"),
             Contains("[1]") && Contains("`hook`"));
  CHECK_THAT(error_of("[{" + good + R"(, "alpha": 1, "mode": "sideways"}])"), Contains("`mode`") && Contains("sideways"));
  CHECK_THAT(error_of("[{" + good + R"(, "alpha": 1, "positions": "everywhere"}])"),
             Contains("[0]") && Contains("positions are all, image"));
  CHECK_THAT(error_of(R"([{"hook": "h@1", "direction": "d.safetensors:v", "alpha": 1}])"), Contains("must not hold '@'"));
  CHECK_THAT(error_of(R"([{"hook": "h", "direction": "no-key", "alpha": 1}])"), Contains("FILE.safetensors:KEY"));
  CHECK_THAT(error_of(R"([{"hook": "h", "direction": "sae:x#-1", "alpha": 1}])"), Contains("sae:FOLDER#LATENT"));
  CHECK_THAT(error_of(R"([{"hook": "h", "direction": "d.safetensors:v", "alpha": 1e400}])"), Contains("set.json"));
  std::string many = "[";
  for (int i = 0; i < 257; ++i) many += std::string(i ? "," : "") + "{" + good + R"(, "alpha": 1})";
  CHECK_THAT(error_of(many + "]"), Contains("at most 256"));
  CHECK_THROWS_AS(study::read_steering_set("/no/such/set.json"), loupe::IoError);
}

TEST_CASE("an intervention set reads ablations beside steers; a steering set refuses them", "[study][steering]") {
  const std::string text = R"([
    {"ablate": "latents", "sae": "saes/gender", "latents": [3, 17], "how": "mean", "means": "latents.csv",
     "mode": "residual", "delta_scale": 0.5, "positions": "image"},
    {"hook": "blocks.0.hook_resid_post", "direction": "d.safetensors:v", "alpha": 1},
    {"ablate": "heads", "heads": "2.1,1.0"},
    {"ablate": "knockout", "layers": [1, 2]}
  ])";
  const study::InterventionSet set = study::parse_intervention_set(text, "set.json", "/s");
  REQUIRE(set.steers.size() == 1);
  REQUIRE(set.ablations.size() == 3);
  const study::AblationSpec& latents = set.ablations[0];
  CHECK(latents.kind == study::AblationSpec::Kind::Latents);
  CHECK(latents.sae_folder == "/s/saes/gender");
  CHECK(latents.latents == std::vector<int64_t>{3, 17});
  CHECK(latents.mean);
  CHECK(latents.means_csv == "/s/latents.csv");
  CHECK(latents.residual);
  CHECK(latents.delta_scale == 0.5);
  CHECK(latents.positions.kind == PositionKind::Image);
  const study::AblationSpec& heads = set.ablations[1];
  CHECK(heads.kind == study::AblationSpec::Kind::Heads);
  REQUIRE(heads.heads.size() == 2);
  CHECK(heads.heads[1].layer == 1);
  CHECK(heads.heads[1].head == 0);
  CHECK_FALSE(heads.mean);
  CHECK(heads.positions.kind == PositionKind::All);
  const study::AblationSpec& knockout = set.ablations[2];
  CHECK(knockout.layers == std::vector<int64_t>{1, 2});
  CHECK(knockout.positions.kind == PositionKind::NonImage);

  // Each entry written back reads to the same ablation.
  nlohmann::ordered_json written = nlohmann::ordered_json::array();
  for (const auto& spec : set.ablations) written.push_back(study::ablation_entry_json(spec));
  const study::InterventionSet again = study::parse_intervention_set(written.dump(), "again.json", "");
  REQUIRE(again.ablations.size() == 3);
  for (size_t i = 0; i < 3; ++i) CHECK(study::ablation_entry_json(again.ablations[i]) == written[i]);

  CHECK_THAT(message_of<loupe::Error>([&] { study::parse_steering_set(text, "set.json", "/s"); }),
             Contains("3 ablation(s)") && Contains("loupe mitigate"));
  const auto error_of = [](const std::string& entry) {
    return message_of<loupe::Error>([&] { study::parse_intervention_set("[" + entry + "]", "set.json", "/s"); });
  };
  CHECK_THAT(error_of(R"({"ablate": "neurons"})"), Contains("[0]") && Contains("latents, heads or knockout"));
  CHECK_THAT(error_of(R"({"ablate": "heads", "heads": "2"})"), Contains("[0]") && Contains("LAYER.HEAD"));
  CHECK_THAT(error_of(R"({"ablate": "heads", "heads": "2.1", "how": "half"})"), Contains("`how`"));
  CHECK_THAT(error_of(R"({"ablate": "heads", "heads": "2.1", "latents": [1]})"), Contains("`latents` is not a field"));
  CHECK_THAT(error_of(R"({"ablate": "latents", "sae": "s", "latents": []})"), Contains("lists no latent"));
  CHECK_THAT(error_of(R"({"ablate": "latents", "sae": "s", "latents": [-1]})"), Contains("`latents[0]`"));
  CHECK_THAT(error_of(R"({"ablate": "latents", "sae": "s", "latents": [1], "how": "mean"})"), Contains("needs `means`"));
  CHECK_THAT(error_of(R"({"ablate": "latents", "sae": "s", "latents": [1], "delta_scale": 2})"), Contains("residual"));
  CHECK_THAT(error_of(R"({"ablate": "knockout", "layers": [1], "positions": "mean-image"})"), Contains("[0]"));
  CHECK_THAT(error_of(R"({"ablate": "knockout"})"), Contains("`layers`"));
}

TEST_CASE("an alpha sweep lists its steps, the end included, and refuses a sweep with none", "[study][steering]") {
  CHECK(study::parse_alpha_sweep("alpha=-2:2:1") == std::vector<double>{-2, -1, 0, 1, 2});
  CHECK(study::parse_alpha_sweep("alpha=3:1:-1") == std::vector<double>{3, 2, 1});
  CHECK(study::parse_alpha_sweep("alpha=0:1:0.4") == std::vector<double>{0, 0.4, 0.8});
  const auto tenths = study::parse_alpha_sweep("alpha=0:1:0.1");
  REQUIRE(tenths.size() == 11);  // 1.0 is reached despite rounding
  CHECK(tenths.back() == Approx(1.0));
  CHECK(study::parse_alpha_sweep("alpha=5:5:1") == std::vector<double>{5});
  for (const std::string bad : {"beta=0:1:1", "alpha=0:1", "alpha=0:1:1:1", "alpha=a:1:1", "alpha=0:1:nan", "alpha=0:inf:1",
                                "alpha= 0:1:1", "alpha=0:1:0", "alpha=1:0:1", "alpha=0:1:-1", "alpha=0:100000:1"})
    CHECK_THROWS_AS(study::parse_alpha_sweep(bad), InputError);
  CHECK_THAT(message_of<InputError>([] { study::parse_alpha_sweep("alpha=1:0:1"); }), Contains("no steps"));
  CHECK_THAT(message_of<InputError>([] { study::parse_alpha_sweep("alpha=0:100000:1"); }), Contains("at most 1024"));
}
