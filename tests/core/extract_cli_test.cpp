// `loupe init` + `loupe extract` as a user runs them: stored activations equal `loupe forward`
// dumps bit for bit (same shapes), another --batch stores the same rows to within float32 rounding,
// a killed extraction resumes to the same store, bad rows are skipped and listed, an unknown hook
// fails before any work, and a full disk leaves a consistent store.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "cli_run.h"
#include "core/io/dataset.h"
#include "core/store/store_format.h"
#include "core/store/store_reader.h"
#include "core/tensor/convert.h"
#include "core/util/atomic_file.h"
#include "core/workspace/workspace.h"
#include "support/temp_dir.h"

using namespace loupe;
namespace fs = std::filesystem;
using loupe::test::kDemoModel;
using loupe::test::run_loupe;
using loupe::test::spawn_loupe;
using loupe::test::wait_status;
using loupe::test::TempDir;

namespace {

const std::string kHooks = "blocks.{1,3}.hook_resid_post";

// A 16-row synth dataset, made once per test process.
const fs::path& demo_dataset() {
  static TempDir dir("loupe-extract-data");
  static bool made = false;
  if (!made) {
    const auto run = run_loupe("synth --out '" + dir.path.string() + "' --n 16 --seed 3");
    INFO(run.err);
    REQUIRE(run.status == 0);
    made = true;
  }
  return dir.path;
}

// A workspace with the demo model on `dataset` (the shared demo dataset unless given).
struct Study {
  TempDir dir{"loupe-extract"};
  fs::path root = dir.path / "ws";
  explicit Study(const fs::path& dataset = demo_dataset()) {
    const auto run = run_loupe("init --workspace '" + root.string() + "' --model '" + kDemoModel + "' --dataset '" +
                               dataset.string() + "'");
    INFO(run.err);
    REQUIRE(run.status == 0);
  }
  std::string extract(const std::string& options) const {
    return "extract --workspace '" + root.string() + "' " + options;
  }
  fs::path store(const std::string& name) const { return root / "stores" / name; }
};

// Kills the extraction `child` with SIGKILL once `store` has its first manifest (its first shard
// committed), as a crash or a scheduler would.
void kill_after_first_shard(pid_t child, const fs::path& store) {
  const fs::path manifest = store / store::kManifestName;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(manifest) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ::kill(child, SIGKILL);
  CHECK(wait_status(child) == -1);  // killed, not exited
}

// Everything of two stores that is not floating-point arithmetic is identical: the manifest (shard
// checksums aside, they cover the vectors), rows.jsonl byte for byte, and each vector's row, position
// and token type.
void check_same_layout(const store::StoreReader& a, const store::StoreReader& b) {
  REQUIRE(a.count() == b.count());
  REQUIRE(a.entries().size() == b.entries().size());
  nlohmann::json a_manifest = a.manifest(), b_manifest = b.manifest();
  for (nlohmann::json* manifest : {&a_manifest, &b_manifest})
    for (auto& shard : (*manifest)["shards"]) shard.erase("sha256");
  CHECK(a_manifest == b_manifest);
  CHECK(torch::equal(a.row_index(0, a.count()), b.row_index(0, b.count())));
  CHECK(torch::equal(a.token_position(0, a.count()), b.token_position(0, b.count())));
  CHECK(torch::equal(a.token_type(0, a.count()), b.token_type(0, b.count())));
  CHECK(util::read_file((a.folder() / store::kRowsName).string()) == util::read_file((b.folder() / store::kRowsName).string()));
}

// Two stores computed with the same inputs and the same shapes (same --batch, same threads) are
// identical, every vector bit for bit: the same matrix products round the same way.
void check_same_store(const fs::path& a_folder, const fs::path& b_folder) {
  const auto a = store::StoreReader::open(a_folder), b = store::StoreReader::open(b_folder);
  check_same_layout(a, b);
  for (const auto& hook : a.hooks()) CHECK(torch::equal(a.read_raw(hook, 0, a.count()), b.read_raw(hook, 0, b.count())));
}

// Float32 vectors computed with other matrix shapes (another --batch) agree to within rounding.
// BLAS promises no rounding for a shape: OpenBLAS and MKL choose their kernel and blocking, hence
// the order in which a product's terms are summed, from the matrix sizes and the processor. With
// OpenBLAS 0.3.21's Haswell kernels (which it also runs on AMD Zen processors such as EPYC; try
// OPENBLAS_CORETYPE=Haswell) batch 5 differs from batch 1 by up to 6e-7 of a vector's largest
// |value|, about ten float32 units of rounding carried through the demo model's 4 layers; with its
// SkylakeX kernels by nothing. The bound, 1e-4 of each vector's own largest |value|, leaves a
// margin of over 100 on that, so a fault that changes what a row computes (padding or another row
// reaching its positions), not only the order of its sums, would have to stay under 1e-4 of the
// vector's scale to pass.
constexpr double kBatchRounding = 1e-4;

void check_store_within_rounding(const fs::path& a_folder, const fs::path& b_folder) {
  const auto a = store::StoreReader::open(a_folder), b = store::StoreReader::open(b_folder);
  check_same_layout(a, b);
  REQUIRE(a.dtype() == "f32");
  for (const auto& hook : a.hooks()) {
    INFO(hook);
    const torch::Tensor x = a.read(hook, 0, a.count()).to(torch::kFloat64);  // [n, d]
    const torch::Tensor y = b.read(hook, 0, b.count()).to(torch::kFloat64);  // [n, d]
    const torch::Tensor scale = y.abs().amax(1);                              // [n] each vector's largest |value|
    REQUIRE((scale > 0).all().item<bool>());
    const double worst = ((x - y).abs().amax(1) / scale).max().item<double>();  // largest relative difference
    INFO("largest difference: " << worst << " of a vector's largest |value|");
    CHECK(worst <= kBatchRounding);
  }
}

// The vectors of rows.jsonl entry `entry`: [begin, end) in the store.
std::pair<int64_t, int64_t> vectors_of(const store::StoreReader& store, int64_t entry) {
  const torch::Tensor rows = store.row_index(0, store.count());
  const torch::Tensor hits = (rows == entry).nonzero().flatten();
  return {hits[0].item<int64_t>(), hits[-1].item<int64_t>() + 1};
}

}  // namespace

TEST_CASE("extracted activations equal loupe forward dumps bit for bit", "[cli][store]") {
  Study study;
  for (const std::string dtype : {"f32", "bf16"}) {
    INFO(dtype);
    const std::string name = "all-" + dtype;
    const auto run = run_loupe(study.extract("--out " + name + " --hooks '" + kHooks +
                                             "' --positions all --limit 2 --batch 1 --dtype " + dtype));
    INFO(run.err);
    REQUIRE(run.status == 0);
    const auto store = store::StoreReader::open(study.store(name));
    const store::StoreEntries& entries = store.entries();
    REQUIRE(entries.size() == 4);  // 2 rows × en, ar
    for (int64_t entry : {0, 3}) {  // row 0 in English, row 1 in Arabic
      const std::vector<int64_t>& sequence = entries.ids[size_t(entry)];
      TempDir dir;
      const std::string ids = dir.write("ids.json", nlohmann::json(sequence).dump());
      const std::string dump = dir.file("dump.safetensors");
      const auto forward = run_loupe("forward --model '" + kDemoModel + "' --image '" + entries.image[size_t(entry)] +
                                     "' --ids @'" + ids + "' --dtype " + dtype + " --dump '" + kHooks + "' --out '" + dump + "'");
      INFO(forward.err);
      REQUIRE(forward.status == 0);
      const auto [begin, end] = vectors_of(store, entry);
      CHECK(end - begin == int64_t(sequence.size()));  // `all`: every position
      for (const auto& hook : store.hooks()) {
        const torch::Tensor direct = tensor::load(dump, hook);  // [T, d]
        const torch::Tensor stored = store.read_raw(hook, begin, end);
        CHECK(stored.scalar_type() == direct.scalar_type());
        CHECK(torch::equal(stored, direct));
      }
    }
  }
}

TEST_CASE("batched extraction stores what batch 1 stores", "[cli][store]") {
  Study study;
  for (const std::string batch : {"1", "5"}) {
    const auto run = run_loupe(study.extract("--out b" + batch + " --hooks '" + kHooks + "' --limit 10 --batch " + batch));
    INFO(run.err);
    REQUIRE(run.status == 0);
  }
  check_store_within_rounding(study.store("b1"), study.store("b5"));
}

TEST_CASE("the default store holds caption tokens with their metadata", "[cli][store]") {
  Study study;
  const auto run = run_loupe(study.extract("--hooks '" + kHooks + "' --limit 3"));
  INFO(run.err);
  REQUIRE(run.status == 0);
  const auto store = store::StoreReader::open(study.store("acts"));
  CHECK(store.positions() == "text");
  CHECK(store.manifest()["source"] == "caption");
  CHECK(store.manifest()["complete"] == true);
  CHECK(store.width("blocks.1.hook_resid_post") == 256);
  const store::StoreEntries& entries = store.entries();
  REQUIRE(entries.size() == 6);
  // The stored positions are the caption's tokens: text type, after the prompt, before <end_of_turn>.
  CHECK((store.token_type(0, store.count()) == int8_t(kTextToken)).all().item<bool>());
  for (int64_t entry = 0; entry < entries.size(); ++entry) {
    const size_t e = size_t(entry);
    CHECK(entries.language[e] == (entry % 2 == 0 ? Language::English : Language::Arabic));
    CHECK(entries.row[e] == entry / 2);
    REQUIRE(entries.labels[e].count("gender"));
    CHECK(entries.figure_gender[e] == entries.labels[e].at("gender"));
    CHECK(entries.tokens[e].size() == entries.ids[e].size());
    const auto [begin, end] = vectors_of(store, entry);
    const torch::Tensor positions = store.token_position(begin, end);
    CHECK(entries.positions[e] == std::vector<int64_t>(positions.data_ptr<int64_t>(), positions.data_ptr<int64_t>() + (end - begin)));
    std::string caption;
    for (int64_t p : entries.positions[e]) caption += entries.tokens[e][size_t(p)];
    CHECK_FALSE(caption.empty());
    CHECK(entries.tokens[e].back() == "<end_of_turn>");
    CHECK_FALSE(entries.generated_gender[e].has_value());  // teacher-forced: the reference caption speaks
    CHECK(entries.caption(entry) == entries.reference_caption[e]);
  }
  const auto runs = workspace::Workspace::open(study.root).runs();
  REQUIRE(runs.size() == 2);  // init, extract
  CHECK(runs[1].command == "extract");
  CHECK(runs[1].outcome == "ok");

  // Pooled rules: one vector per (row, language), position -1.
  const auto pooled = run_loupe(study.extract("--out mean --hooks blocks.2.hook_mlp_out --positions mean-image --limit 3 --langs ar"));
  INFO(pooled.err);
  REQUIRE(pooled.status == 0);
  const auto mean = store::StoreReader::open(study.store("mean"));
  CHECK(mean.count() == 3);
  CHECK((mean.token_position(0, 3) == -1).all().item<bool>());
  CHECK((mean.token_type(0, 3) == int8_t(kImageToken)).all().item<bool>());
}

TEST_CASE("generate source stores generated captions and vision hooks store patches", "[cli][store]") {
  Study study;
  const auto run = run_loupe(study.extract("--out gen --hooks blocks.0.hook_resid_post --source generate --limit 2 --batch 2"));
  INFO(run.err);
  REQUIRE(run.status == 0);
  const auto store = store::StoreReader::open(study.store("gen"));
  const store::StoreEntries& entries = store.entries();
  REQUIRE(entries.size() == 4);
  for (int64_t entry = 0; entry < 4; ++entry) {
    CHECK_FALSE(entries.generated_caption[size_t(entry)].empty());
    REQUIRE(entries.generated_gender[size_t(entry)].has_value());
    CHECK(entries.stated_gender(entry) == *entries.generated_gender[size_t(entry)]);
  }
  const auto vision = run_loupe(study.extract("--out vis --vision-hooks 'vision.blocks.{0,3}.hook_resid_post' --positions all --limit 2"));
  INFO(vision.err);
  REQUIRE(vision.status == 0);
  const auto patches = store::StoreReader::open(study.store("vis"));
  CHECK(patches.entries().size() == 2);
  CHECK_FALSE(patches.entries().language[0].has_value());  // one entry per image: the tower does not see the language
  CHECK(patches.count() % 2 == 0);
  CHECK(patches.count() > 2);
  const auto both = run_loupe(study.extract("--out x --hooks blocks.0.hook_resid_post --vision-hooks vision.blocks.0.hook_resid_post"));
  CHECK(both.status == 1);
  CHECK_THAT(both.err, Catch::Contains("two stores"));
}

TEST_CASE("a killed extraction resumes to exactly the uninterrupted store", "[cli][store]") {
  Study study;
  const std::string common = "--hooks '" + kHooks + "' --limit 12 --batch 1 --shard-vectors 16";
  const auto whole = run_loupe(study.extract("--out whole " + common));
  INFO(whole.err);
  REQUIRE(whole.status == 0);

  TempDir logs;
  const pid_t child = spawn_loupe({"extract", "--workspace", study.root.string(), "--out", "cut", "--hooks", kHooks, "--limit",
                                   "12", "--batch", "1", "--shard-vectors", "16"},
                                  logs.file("cut.log"));
  kill_after_first_shard(child, study.store("cut"));
  const auto partial = store::StoreReader::open(study.store("cut"));
  REQUIRE(partial.manifest()["complete"] == false);
  CHECK(partial.count() > 0);

  const auto again = run_loupe(study.extract("--out cut --resume " + common));
  INFO(again.err);
  REQUIRE(again.status == 0);
  CHECK_THAT(again.err, Catch::Contains("resuming after"));
  check_same_store(study.store("whole"), study.store("cut"));
  CHECK(store::StoreReader::open(study.store("cut")).manifest()["complete"] == true);

  // Without --resume an existing store is refused; with other options a resume is refused.
  const auto twice = run_loupe(study.extract("--out cut " + common));
  CHECK(twice.status == 1);
  CHECK_THAT(twice.err, Catch::Contains("--resume"));
  const auto other = run_loupe(study.extract("--out cut --resume --positions all --hooks '" + kHooks + "' --limit 12"));
  CHECK(other.status == 1);
  CHECK_THAT(other.err, Catch::Contains("positions"));
}

TEST_CASE("missing or corrupt images are skipped and listed, an unknown hook fails before any work", "[cli][store]") {
  TempDir data("loupe-extract-bad");
  fs::copy(demo_dataset(), data.path, fs::copy_options::recursive);
  const auto rows = io::load_dataset(data.path.string()).rows;
  Study study(data.path);
  fs::remove(rows[1].image);
  { std::ofstream(rows[3].image, std::ios::binary | std::ios::trunc) << "not a png at all"; }

  const auto run = run_loupe(study.extract("--hooks '" + kHooks + "' --limit 5"));
  INFO(run.err);
  REQUIRE(run.status == 0);
  CHECK_THAT(run.out, Catch::Contains("skipped row 1") && Catch::Contains("skipped row 3"));
  const auto store = store::StoreReader::open(study.store("acts"));
  CHECK(store.entries().size() == 6);  // rows 0, 2, 4 × en, ar
  CHECK(store.manifest()["skipped"].size() == 2);
  const auto runs = workspace::Workspace::open(study.root).runs();
  REQUIRE(runs.back().details["skipped"].size() == 2);
  CHECK(runs.back().details["skipped"][0]["row"] == 1);
  CHECK(runs.back().details["skipped"][1]["row"] == 3);

  const auto bad = run_loupe(study.extract("--out typo --hooks 'blocks.{1,9}.hook_resid_post'"));
  CHECK(bad.status == 1);
  CHECK_THAT(bad.err, Catch::Contains("blocks.9"));
  CHECK_FALSE(fs::exists(study.store("typo")));
  CHECK(workspace::Workspace::open(study.root).runs().back().outcome == "failed");
}

TEST_CASE("a full disk ends the extraction with a clear failure and a consistent store", "[cli][store]") {
  Study study;
  // `last`: one vector per entry, so shards stay small while rows.jsonl (ids and tokens of every
  // entry) outgrows the 12 KiB file-size limit part way through.
  TempDir logs;
  const std::vector<std::string> args = {"extract", "--workspace", study.root.string(), "--out", "full", "--hooks", kHooks,
                                         "--positions", "last", "--limit", "12", "--batch", "2", "--shard-vectors", "4"};
  const pid_t child = spawn_loupe(args, logs.file("full.log"), 12 * 1024);
  CHECK(wait_status(child) == 1);
  const std::string log = util::read_file(logs.file("full.log"));
  INFO(log);
  CHECK_THAT(log, Catch::Contains("File too large") && Catch::Contains("--resume") && Catch::Contains("consistent"));

  const auto partial = store::StoreReader::open(study.store("full"));  // opens: manifest, shards and rows agree
  CHECK(partial.manifest()["complete"] == false);
  CHECK(partial.count() > 0);
  CHECK(partial.count() == partial.entries().size());
  CHECK(workspace::Workspace::open(study.root).runs().back().outcome == "failed");

  std::vector<std::string> resume = args;
  resume.push_back("--resume");
  const pid_t again = spawn_loupe(resume, logs.file("resume.log"));
  REQUIRE(wait_status(again) == 0);
  const auto whole = run_loupe(study.extract("--out whole --hooks '" + kHooks + "' --positions last --limit 12 --batch 2 --shard-vectors 4"));
  REQUIRE(whole.status == 0);
  check_same_store(study.store("whole"), study.store("full"));
}

TEST_CASE("an extraction that stores nothing, a resume with no store and a cut shard are refused (issue 21)", "[cli][store]") {
  TempDir data("loupe-extract-missing");
  fs::copy(demo_dataset(), data.path, fs::copy_options::recursive);
  const auto rows = io::load_dataset(data.path.string()).rows;
  Study study(data.path);
  for (size_t r = 0; r < 3; ++r) fs::remove(rows[r].image);

  // Every image missing "succeeded" with 0 vectors; now it fails and leaves no empty store.
  const auto empty = run_loupe(study.extract("--out empty --hooks '" + kHooks + "' --limit 3"));
  INFO(empty.err);
  CHECK(empty.status == 1);
  CHECK_THAT(empty.err, Catch::Contains("stored no vectors") && Catch::Contains("every one of its 3 rows was skipped") &&
                            Catch::Contains(rows[0].image));
  CHECK_FALSE(fs::exists(study.store("empty")));

  // --resume with no store started a fresh one.
  const auto fresh = run_loupe(study.extract("--out fresh --hooks '" + kHooks + "' --limit 4 --resume"));
  CHECK(fresh.status == 1);
  CHECK_THAT(fresh.err, Catch::Contains("no store to resume") && Catch::Contains("without --resume"));
  CHECK_FALSE(fs::exists(study.store("fresh")));

  // Counts below 1 meant every row.
  const auto negative = run_loupe(study.extract("--out negative --hooks '" + kHooks + "' --limit -3"));
  CHECK(negative.status == 1);
  CHECK_THAT(negative.err, Catch::Contains("--limit must be at least 1, got -3"));

  // A resume kept a shard that was cut short.
  const std::string options = "--out cut --hooks '" + kHooks + "' --limit 5 --shard-vectors 8";
  REQUIRE(run_loupe(study.extract(options)).status == 0);
  const fs::path shard = study.store("cut") / store::shard_name(0);
  const auto size = fs::file_size(shard);
  fs::resize_file(shard, size / 2);
  const auto resumed = run_loupe(study.extract(options + " --resume"));
  INFO(resumed.err);
  CHECK(resumed.status == 1);
  CHECK_THAT(resumed.err, Catch::Contains("cannot resume") && Catch::Contains(shard.string()) &&
                              Catch::Contains("has " + std::to_string(size / 2) + " bytes"));
  CHECK(fs::file_size(shard) == size / 2);  // refused before anything was written
}

namespace {

// Replaces the English caption of dataset row `row` (CSV line row + 2: synth captions hold no comma).
void set_english_caption(const fs::path& dataset, size_t row, const std::string& caption) {
  const fs::path csv = dataset / "image_caption.csv";
  std::istringstream lines(util::read_file(csv.string()));
  std::string text, line;
  for (size_t index = 0; std::getline(lines, line); ++index) {
    if (index == row + 1) {
      const size_t first = line.find(','), second = line.find(',', first + 1);
      line = line.substr(0, first + 1) + caption + line.substr(second);
    }
    text += line + "\n";
  }
  util::write_file_atomic(csv.string(), text);
}

}  // namespace

TEST_CASE("an over-long caption skips its row by name, an empty one is stored with a warning (issue 21)", "[cli][store]") {
  TempDir data("loupe-extract-captions");
  fs::copy(demo_dataset(), data.path, fs::copy_options::recursive);
  std::string long_caption;
  for (int i = 0; i < 400; ++i) long_caption += "a woman cooking ";
  set_english_caption(data.path, 1, long_caption);  // far past the demo model's 256 positions
  set_english_caption(data.path, 2, "");
  Study study(data.path);

  const auto run = run_loupe(study.extract("--hooks '" + kHooks + "' --limit 4"));
  INFO(run.err);
  REQUIRE(run.status == 0);  // one over-long caption used to abort the whole extraction, naming no row
  CHECK_THAT(run.out, Catch::Contains("skipped row 1") && Catch::Contains("the en caption with the prompt is") &&
                          Catch::Contains("past this model's context of 256"));
  CHECK_THAT(run.out, Catch::Contains("1 entries with an empty reference caption"));
  CHECK_THAT(run.err, Catch::Contains("warning: row 2 (line 4): the en reference caption is empty"));
  const auto store = store::StoreReader::open(study.store("acts"));
  CHECK(store.entries().size() == 6);  // rows 0, 2, 3 × en, ar
  CHECK(store.manifest()["skipped"].size() == 1);
  const auto runs = workspace::Workspace::open(study.root).runs();
  CHECK(runs.back().details["empty_captions"] == 1);
  CHECK(runs.back().details["skipped"][0]["row"] == 1);
}

namespace {

// Every file of two folders, byte for byte.
void check_same_files(const fs::path& a, const fs::path& b) {
  std::vector<std::string> a_names, b_names;
  for (const auto& entry : fs::directory_iterator(a)) a_names.push_back(entry.path().filename().string());
  for (const auto& entry : fs::directory_iterator(b)) b_names.push_back(entry.path().filename().string());
  std::sort(a_names.begin(), a_names.end());
  std::sort(b_names.begin(), b_names.end());
  REQUIRE(a_names == b_names);
  for (const std::string& name : a_names) {
    INFO(name);
    CHECK(util::read_file((a / name).string()) == util::read_file((b / name).string()));
  }
}

}  // namespace

TEST_CASE("shard parts of an extraction merge into exactly the single-process store (issue 19)", "[cli][store]") {
  TempDir data("loupe-extract-parts");
  fs::copy(demo_dataset(), data.path, fs::copy_options::recursive);
  fs::remove(io::load_dataset(data.path.string()).rows[6].image);  // a skipped row inside part 1
  Study study(data.path);
  // 16 rows in batches of 2: 8 batches; parts of 3 take batches [0, 2), [2, 5), [5, 8).
  const std::string common = "--hooks '" + kHooks + "' --batch 2 --shard-vectors 24";
  const auto whole = run_loupe(study.extract("--out whole " + common));
  INFO(whole.err);
  REQUIRE(whole.status == 0);
  for (const std::string part : {"0", "2"}) {
    const auto run = run_loupe(study.extract("--out p" + part + " --shard " + part + "/3 " + common));
    INFO(run.err);
    REQUIRE(run.status == 0);
  }
  const auto first = store::StoreReader::open(study.store("p0"));
  CHECK(first.manifest()["part"] == nlohmann::json{{"index", 0}, {"count", 3}, {"batch", 2}, {"shard_vectors", 24},
                                                   {"rows", {0, 4}}, {"dataset_rows", 16}});
  CHECK(first.entries().row.back() == 3);

  // Part 1 is killed after its first shard and resumed, as a requeued array task is.
  TempDir logs;
  const pid_t child = spawn_loupe({"extract", "--workspace", study.root.string(), "--out", "p1", "--shard", "1/3", "--hooks",
                                   kHooks, "--batch", "2", "--shard-vectors", "24"},
                                  logs.file("p1.log"));
  kill_after_first_shard(child, study.store("p1"));
  const std::string merge = "store merge --workspace '" + study.root.string() + "' --out merged ";
  const auto unfinished = run_loupe(merge + "p2 p0 p1");
  CHECK(unfinished.status == 1);
  CHECK_THAT(unfinished.err, Catch::Contains("cannot merge " + study.store("p1").string()) && Catch::Contains("did not finish"));
  CHECK_FALSE(fs::exists(study.store("merged")));
  const auto other_part = run_loupe(study.extract("--out p1 --resume --shard 2/3 " + common));
  CHECK(other_part.status == 1);
  CHECK_THAT(other_part.err, Catch::Contains("cannot resume") && Catch::Contains("part"));
  const auto resumed = run_loupe(study.extract("--out p1 --resume --shard 1/3 " + common));
  INFO(resumed.err);
  REQUIRE(resumed.status == 0);

  const auto merged = run_loupe(merge + "p2 p0 p1");  // any order
  INFO(merged.err);
  REQUIRE(merged.status == 0);
  CHECK_THAT(merged.out, Catch::Contains("3 parts merged") && Catch::Contains("1 rows skipped"));
  check_same_files(study.store("whole"), study.store("merged"));
  const workspace::RunRecord logged = workspace::Workspace::open(study.root).runs().back();
  CHECK(logged.command == "store merge");
  CHECK(logged.outcome == "ok");
  CHECK(logged.inputs.size() == 6);  // manifest.json and rows.jsonl of each part
  CHECK(logged.parameters["parts"] == nlohmann::json{"p2", "p0", "p1"});
}

TEST_CASE("a merge of parts that disagree, overlap or leave a gap is refused and writes nothing (issue 19)", "[cli][store]") {
  Study study;
  const std::string common = "--hooks '" + kHooks + "' --limit 6 --batch 2";
  for (const std::string options : {"--out a0 --shard 0/3", "--out a1 --shard 1/3", "--out a2 --shard 2/3",
                                    "--out b1 --shard 1/3 --dtype bf16", "--out c1 --shard 1/2", "--out whole"}) {
    const auto run = run_loupe(study.extract(options + " " + common));
    INFO(options << "\n" << run.err);
    REQUIRE(run.status == 0);
  }
  const auto refused = [&](const std::string& parts, const std::string& why) {
    INFO(parts);
    const auto run = run_loupe("store merge --workspace '" + study.root.string() + "' --out merged " + parts);
    CHECK(run.status == 1);
    CHECK_THAT(run.err, Catch::Contains(why));
    CHECK_FALSE(fs::exists(study.store("merged")));
    CHECK_FALSE(fs::exists(study.store(".merged.merging")));
  };
  refused("a0 b1 a2", "different dtype: \"f32\" in " + study.store("a0").string() + ", \"bf16\" in " + study.store("b1").string());
  refused("a0 c1 a2", "different part count: 3");
  refused("a0 a2", "part 1 of 3 is missing (extract it with --shard 1/3)");
  refused("a0 a1 a1 a2", "are both part 1 of 3");
  refused("a0 whole a2", "it is a whole extraction, not a part");
  refused("a0 nowhere a2", "is not an activation store");
  refused("", "name the part stores to merge");
  REQUIRE(run_loupe("store merge --workspace '" + study.root.string() + "' --out merged a1 a2 a0").status == 0);
  const auto again = run_loupe("store merge --workspace '" + study.root.string() + "' --out merged a0 a1 a2");
  CHECK(again.status == 1);
  CHECK_THAT(again.err, Catch::Contains("it exists"));

  // A vision store has one unit a row, no language.
  const std::string vision = "--vision-hooks 'vision.blocks.{0,3}.hook_resid_post' --positions mean-image --limit 6 --batch 2";
  for (const std::string options : {"--out v0 --shard 0/3", "--out v1 --shard 1/3", "--out v2 --shard 2/3", "--out vwhole"})
    REQUIRE(run_loupe(study.extract(options + " " + vision)).status == 0);
  REQUIRE(run_loupe("store merge --workspace '" + study.root.string() + "' --out vmerged v2 v1 v0").status == 0);
  check_same_files(study.store("vwhole"), study.store("vmerged"));

  for (const auto& [shard, why] : std::vector<std::pair<std::string, std::string>>{
           {"3/3", "counts from 0 and must be below N"}, {"0/4", "make only 3 batches of 2, too few for 4 parts"},
           {"one/two", "--shard expects I/N"}, {"1", "--shard expects I/N"}}) {
    INFO(shard);
    const auto run = run_loupe(study.extract("--out bad --shard " + shard + " " + common));
    CHECK(run.status == 1);
    CHECK_THAT(run.err, Catch::Contains(why));
    CHECK_FALSE(fs::exists(study.store("bad")));
  }
}
