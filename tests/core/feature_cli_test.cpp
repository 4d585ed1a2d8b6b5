// `loupe analyze features` as a user runs it on a demo workspace: the three files land in
// analyses/NAME with the documented columns, the run is logged, and bad input writes nothing.
#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "core/util/atomic_file.h"
#include "support/temp_dir.h"

using namespace loupe;
namespace fs = std::filesystem;
using loupe::test::kDemoModel;
using loupe::test::quoted;
using loupe::test::require_loupe_ok;
using loupe::test::run_loupe;
using loupe::test::TempDir;

TEST_CASE("analyze features writes latents.csv, latents.json and summary.json", "[analysis][features][cli]") {
  TempDir dir{"loupe-features-cli"};
  const fs::path root = dir.path / "ws";
  const std::string ws = " --workspace " + quoted(root);
  require_loupe_ok("synth --out " + quoted(dir.path / "data") + " --n 16 --seed 3");
  require_loupe_ok("init" + ws + " --model '" + kDemoModel + "' --dataset " + quoted(dir.path / "data"));
  require_loupe_ok("extract" + ws + " --hooks blocks.2.hook_resid_post --limit 16");
  const auto no_sae = run_loupe("analyze summary" + ws);
  CHECK(no_sae.status == 1);
  CHECK_THAT(no_sae.err, Catch::Contains("holds no SAE"));
  require_loupe_ok("train-sae" + ws + " --hook blocks.2.hook_resid_post --out l2 --expansion 2 --k 8 --batch 64 --tokens 1280");

  const auto run = run_loupe("analyze features" + ws + " --sae l2 --by figure");
  INFO(run.err);
  REQUIRE(run.status == 0);
  CHECK_THAT(run.out, Catch::Contains("512 latents") && Catch::Contains("alignment ratio"));
  const fs::path folder = root / "analyses" / "l2";
  const std::string csv = util::read_file((folder / "latents.csv").string());
  std::istringstream lines(csv);
  std::string header;
  std::getline(lines, header);
  CHECK(header.rfind("latent,frequency,frequency_en,frequency_ar,frequency_text,frequency_image,frequency_template,"
                     "mean_activation,max_activation,cohens_d_en,p_en,q_en,cohens_d_ar,p_ar,q_ar,cohens_d,p,q,alignment_r",
                     0) == 0);
  int rows = 0;
  for (std::string line; std::getline(lines, line);) ++rows;
  CHECK(rows == 512);
  const auto latents = nlohmann::json::parse(util::read_file((folder / "latents.json").string()));
  REQUIRE(latents.size() == 512);
  CHECK(latents[0].contains("top_examples"));
  CHECK(latents[0]["logit_effects"]["top"].size() == 10);  // a residual hook of the model's width
  CHECK(latents[0]["neighbours"].size() == 5);
  const auto summary = nlohmann::json::parse(util::read_file((folder / "summary.json").string()));
  CHECK(summary["sae"] == "l2");
  CHECK(summary["store"] == "acts");
  CHECK(summary["grouping"] == "figure");
  CHECK(summary["counts"]["latents"] == 512);
  CHECK(summary["alignment"]["computed"] == true);
  CHECK_THAT(util::read_file((root / "runs.jsonl").string()), Catch::Contains("\"command\":\"analyze features\""));

  // The per-layer summary: one row per SAE, the same figures as the SAE's own analysis.
  const auto layers = run_loupe("analyze summary" + ws + " --by figure --json");
  INFO(layers.err);
  REQUIRE(layers.status == 0);
  const auto table_rows = nlohmann::json::parse(layers.out);
  REQUIRE(table_rows.size() == 1);
  const auto& row = table_rows[0];
  CHECK(row["sae"] == "l2");
  CHECK(row["layer"] == 2);
  CHECK(row["latents"] == 512);
  CHECK(row["l0_en"].get<double>() <= 8.0);  // TopK with k = 8
  CHECK(row["dead_en"] == summary["counts"]["dead_latents_en"]);
  CHECK(row["mean_activation_ar"] == summary["counts"]["mean_activation_ar"]);
  CHECK(row["aligned"] == summary["alignment"]["aligned"]);
  CHECK(row["gender_bias_correlation"] == summary["gender_bias_correlation"]);
  CHECK(row["rank_difference"] == row["rank_en"].get<int>() - row["rank_ar"].get<int>());
  CHECK(fs::exists(root / "analyses" / "layers" / "summary.csv"));

  // A map of the decoder directions, each latent with its latents.csv figures.
  const auto map = run_loupe("analyze embed" + ws + " --sae l2 --by figure --json");
  INFO(map.err);
  REQUIRE(map.status == 0);
  const auto points = nlohmann::json::parse(map.out)["decoder-l2-pca"];
  REQUIRE(points.size() == 512);
  CHECK(points[7]["latent"] == 7);
  CHECK(points[7]["frequency"] == latents[7]["frequency"]);
  CHECK(points[7]["cohens_d_en"] == latents[7]["cohens_d_en"]);
  CHECK(points[7].contains("x"));
  CHECK(fs::exists(root / "analyses" / "maps" / "decoder-l2-pca.safetensors"));

  // Bad input: a clear error, and nothing under analyses/ for it.
  const auto split = run_loupe("analyze features" + ws + " --sae l2 --split dev --out bad");
  CHECK(split.status == 1);
  CHECK_THAT(split.err, Catch::Contains("no entries in the split 'dev'"));
  const auto missing = run_loupe("analyze features" + ws + " --sae l9 --out bad");
  CHECK(missing.status == 1);
  CHECK_THAT(missing.err, Catch::Contains("no SAE l9"));
  const auto by = run_loupe("analyze features" + ws + " --sae l2 --by scene --out bad");
  CHECK(by.status == 1);
  const auto summary_split = run_loupe("analyze summary" + ws + " --split dev --out bad");
  CHECK(summary_split.status == 1);
  CHECK_THAT(summary_split.err, Catch::Contains("SAE l2") && Catch::Contains("split 'dev'"));
  CHECK_FALSE(fs::exists(root / "analyses" / "bad"));
  CHECK_FALSE(fs::exists(root / "analyses" / ".bad.partial"));
  const auto bare = run_loupe("analyze");  // a multi-word command's first word lists what follows it
  CHECK(bare.status == 2);
  CHECK_THAT(bare.err, Catch::Contains("loupe analyze features"));
}
