// Options and folders that loupe used to read as something else (issue 21), refused with an error
// naming the option or file: an empty --ids or --prompt (the default prompt ran), ids of 10.9 or
// outside the vocabulary, counts below 1 (they meant "all"), and `init` on a dataset folder without
// a CSV or a model folder whose config.json is empty.
#include <catch2/catch.hpp>

#include <filesystem>

#include "cli_run.h"
#include "core/util/atomic_file.h"
#include "support/temp_dir.h"

using loupe::test::kDemoModel;
using loupe::test::run_loupe;
using loupe::test::TempDir;
namespace fs = std::filesystem;

namespace {

const std::string kTiny = std::string(LOUPE_FIXTURES) + "/gemma3-tiny";

loupe::test::CliRun forward(const std::string& prompt_options, const TempDir& dir) {
  return run_loupe("forward --model '" + kTiny + "' --pixels '" + kTiny + "/case.safetensors:pixel_values' " +
                   prompt_options + " --dump logits --out '" + dir.file("out.safetensors") + "'");
}

void expect_refused(const loupe::test::CliRun& run, const std::string& message) {
  INFO(run.err);
  CHECK(run.status == 1);
  CHECK_THAT(run.err, Catch::Contains(message));
  CHECK_THAT(run.err, !Catch::Contains("internal error"));
}

}  // namespace

TEST_CASE("empty, fractional and out-of-vocabulary prompt ids are refused, naming --ids", "[cli][errors]") {
  const TempDir dir;
  expect_refused(forward("--ids ''", dir), "--ids is empty");
  expect_refused(forward("--prompt ''", dir), "--prompt is empty");
  expect_refused(forward("--ids 2,299,,5", dir), "--ids takes comma-separated integers");
  expect_refused(forward("--ids '2, 299'", dir), "' 299' is not one");
  const std::string fractional = dir.write("ids.json", "[2, 299, 10.9]");
  expect_refused(forward("--ids @" + fractional, dir), fractional + ": item 2 must be an integer");
  expect_refused(forward("--ids 2,299,300", dir), "--ids: id 300 is outside the model's vocabulary of 300");
  CHECK_FALSE(fs::exists(dir.file("out.safetensors")));
}

TEST_CASE("counts below 1 are refused instead of meaning every row", "[cli][errors]") {
  for (const char* limit : {"-1", "0"})
    expect_refused(run_loupe("eval-captions --data /nonexistent --limit " + std::string(limit)),
                   std::string("--limit must be at least 1, got ") + limit);
}

TEST_CASE("init refuses a dataset folder without a CSV and a model folder with an empty config", "[cli][errors]") {
  const TempDir dir;
  fs::create_directories(dir.path / "images");
  const auto no_csv = run_loupe("init --workspace '" + dir.file("ws") + "' --dataset '" + dir.file("images") + "'");
  expect_refused(no_csv, "image_caption.csv");
  fs::create_directories(dir.path / "model");
  loupe::util::write_file_atomic(dir.file("model/config.json"), "{}");
  const auto empty_config = run_loupe("init --workspace '" + dir.file("ws") + "' --model '" + dir.file("model") +
                                      "' --dataset '" + std::string(LOUPE_SOURCE_DIR) + "/assets/demo/images'");
  expect_refused(empty_config, dir.file("model/config.json"));
  CHECK_FALSE(fs::exists(dir.path / "ws"));
}

TEST_CASE("a failed train-caption removes the --out folder it made, and names one that stays", "[cli][errors][train]") {
  const TempDir dir;
  fs::create_directories(dir.path / "no-csv");  // a folder, so the job starts, then finds no CSV
  const auto failed = run_loupe("train-caption --data '" + dir.file("no-csv") + "' --out '" + dir.file("model") + "'");
  expect_refused(failed, "image_caption.csv");
  CHECK_FALSE(fs::exists(dir.path / "model"));  // held only train.log before

  fs::create_directories(dir.path / "kept");
  const auto kept = run_loupe("train-caption --data '" + dir.file("no-csv") + "' --out '" + dir.file("kept") + "'");
  expect_refused(kept, dir.file("kept") + " stays");
  CHECK(fs::exists(dir.path / "kept"));
}

TEST_CASE("loupe init refuses a dataset folder without image_caption.csv and writes nothing", "[cli][workspace]") {
  TempDir dir("loupe-init-no-csv");
  fs::create_directories(dir.path / "images");
  fs::copy_file(loupe::test::kKitchen, dir.path / "images" / "kitchen.png");
  const auto run = run_loupe("init --workspace " + loupe::test::quoted(dir.path / "ws") + " --dataset " +
                             loupe::test::quoted(dir.path / "images"));
  CHECK(run.status == 1);
  CHECK_THAT(run.err, Catch::Contains("has no image_caption.csv") && Catch::Contains("image,en_caption,ar_caption"));
  CHECK_FALSE(fs::exists(dir.path / "ws"));
}
