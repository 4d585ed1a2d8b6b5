// Workspaces: the folder of one study (workspace.json, stores/, saes/, analyses/, reports/,
// runs.jsonl), made by `loupe init` and opened by every later command.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include "core/error.h"
#include "core/util/atomic_file.h"
#include "core/workspace/checksums.h"
#include "core/workspace/workspace.h"
#include "support/temp_dir.h"

using namespace loupe;
using namespace loupe::workspace;
namespace fs = std::filesystem;
using loupe::test::message_of;
using loupe::test::TempDir;

namespace {

struct Study {
  TempDir dir{"loupe-ws"};
  fs::path model = dir.path / "model";
  fs::path dataset = dir.path / "data";
  fs::path root = dir.path / "study";
  Study() {
    fs::create_directories(model);
    fs::create_directories(dataset);
  }
};

}  // namespace

TEST_CASE("init makes the workspace layout and open reads it back", "[workspace]") {
  Study study;
  const Workspace made = Workspace::init(study.root, study.model, study.dataset);
  for (const char* sub : {"stores", "saes", "analyses", "reports"}) CHECK(fs::is_directory(study.root / sub));
  CHECK(fs::exists(study.root / "workspace.json"));
  CHECK(made.model() == fs::canonical(study.model));
  CHECK(made.model().is_absolute());

  // Relative paths given to init are stored absolute, so the workspace opens from anywhere.
  const Workspace opened = Workspace::open(study.root);
  CHECK(opened.model() == fs::canonical(study.model));
  CHECK(opened.dataset() == fs::canonical(study.dataset));
  CHECK(opened.store_dir("acts") == fs::canonical(study.root) / "stores" / "acts");
  CHECK(opened.sae_dir("l2") == fs::canonical(study.root) / "saes" / "l2");
  CHECK(opened.reports_dir() == fs::canonical(study.root) / "reports");
}

TEST_CASE("workspace errors say what to do", "[workspace]") {
  Study study;
  CHECK_THAT(message_of<InputError>([&] { Workspace::open(study.root); }), Catch::Contains("loupe init"));
  CHECK_THAT(message_of<InputError>([&] { Workspace::init(study.root, study.dir.path / "nope", study.dataset); }),
             Catch::Contains("model folder") && Catch::Contains("nope"));
  CHECK_FALSE(fs::exists(study.root / "workspace.json"));
  Workspace::init(study.root, study.model, study.dataset);
  CHECK_THAT(message_of<InputError>([&] { Workspace::init(study.root, study.model, study.dataset); }),
             Catch::Contains("already holds a workspace"));
  const Workspace opened = Workspace::open(study.root);
  CHECK_THROWS_AS(opened.store_dir("../escape"), InputError);
  CHECK_THROWS_AS(opened.sae_dir(""), InputError);

  util::write_file_atomic((study.root / "workspace.json").string(), "{\"model\": 3}");
  CHECK_THAT(message_of<FormatError>([&] { Workspace::open(study.root); }), Catch::Contains("\"model\""));
  util::write_file_atomic((study.root / "workspace.json").string(), "{not json");
  CHECK_THROWS_AS(Workspace::open(study.root), FormatError);
}

TEST_CASE("log_run appends one JSON line per run, whole lines even from several threads", "[workspace]") {
  Study study;
  const Workspace space = Workspace::init(study.root, study.model, study.dataset);
  RunRecord record;
  record.command = "extract";
  record.parameters = {{"hooks", "blocks.1.hook_resid_post"}, {"limit", 5}};
  record.started = utc_now();
  record.ended = utc_now();
  record.outcome = "failed";
  record.message = "disk full\nsecond line";
  record.details = {{"skipped", {{{"row", 3}}}}};
  space.log_run(record);

  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&space, t] {
      for (int i = 0; i < 50; ++i) space.log_run({"t" + std::to_string(t), {{"i", i}}, "s", "e", "ok", "", nullptr});
    });
  for (auto& thread : threads) thread.join();

  const std::vector<RunRecord> runs = space.runs();
  REQUIRE(runs.size() == 201);
  CHECK(runs[0].command == "extract");
  CHECK(runs[0].parameters["limit"] == 5);
  CHECK(runs[0].outcome == "failed");
  CHECK(runs[0].message == "disk full\nsecond line");
  CHECK(runs[0].details["skipped"][0]["row"] == 3);
  CHECK(runs[1].details.is_null());
  CHECK(runs[0].loupe_version == LOUPE_VERSION);
  CHECK(runs[200].loupe_version == LOUPE_VERSION);
  CHECK(runs[0].started.size() == 20);  // 2026-11-30T10:12:00Z

  std::ifstream file(space.runs_file());
  int lines = 0;
  for (std::string line; std::getline(file, line);) ++lines;
  CHECK(lines == 201);
}

TEST_CASE("log_run records each input's size and SHA-256, hashing a file again only when it changed", "[workspace]") {
  Study study;
  const Workspace space = Workspace::init(study.root, study.model, study.dataset);
  util::write_file_atomic((study.model / "config.json").string(), "abc");
  util::write_file_atomic((study.model / "notes.txt").string(), "not an input");
  const std::vector<fs::path> model_files = space.model_files();
  REQUIRE(model_files.size() == 1);
  CHECK(model_files[0].filename() == "config.json");

  RunRecord record{"init", {}, "s", "e", "ok", "", nullptr};
  add_inputs(record, model_files);
  add_inputs(record, model_files);                  // a file named twice is one input
  add_inputs(record, space.dataset_files());        // image_caption.csv does not exist
  add_inputs(record, {space.root() / "stores" / "acts" / "rows.jsonl"});
  util::create_folders(space.root() / "stores" / "acts");
  util::write_file_atomic((space.root() / "stores" / "acts" / "rows.jsonl").string(), "");
  REQUIRE(record.inputs.size() == 3);
  space.log_run(record);

  std::vector<RunRecord> runs = space.runs();
  REQUIRE(runs.size() == 1);
  REQUIRE(runs[0].inputs.size() == 3);
  CHECK(runs[0].inputs[0].path == model_files[0].string());  // outside the workspace: absolute
  CHECK(runs[0].inputs[0].bytes == 3);
  CHECK(runs[0].inputs[0].sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(runs[0].inputs[1].sha256.empty());
  CHECK_THAT(runs[0].inputs[1].problem, Catch::Contains("image_caption.csv"));
  CHECK(runs[0].inputs[2].path == "stores/acts/rows.jsonl");  // inside it: relative to the root
  CHECK(runs[0].inputs[2].sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

  // The cache answers for an unchanged file: a cache entry edited by hand is what the next run reads.
  const fs::path cache_file = space.root() / kChecksumsFileName;
  nlohmann::json cache = nlohmann::json::parse(util::read_file(cache_file.string()));
  const std::string key = model_files[0].string();
  REQUIRE(cache.contains(key));
  cache[key]["sha256"] = std::string(64, '0');
  util::write_file_atomic(cache_file.string(), cache.dump());
  space.log_run(record);
  CHECK(space.runs()[1].inputs[0].sha256 == std::string(64, '0'));

  // A changed file (another size) is hashed again.
  util::write_file_atomic((study.model / "config.json").string(), "abcd");
  space.log_run(record);
  runs = space.runs();
  CHECK(runs[2].inputs[0].bytes == 4);
  CHECK(runs[2].inputs[0].sha256 == "88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589");

  // A cache that is not JSON starts empty.
  util::write_file_atomic(cache_file.string(), "{broken");
  space.log_run(record);
  CHECK(space.runs()[3].inputs[0].sha256 == runs[2].inputs[0].sha256);
}
