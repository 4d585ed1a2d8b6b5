// `loupe train-sae` and `loupe eval-sae` as a user runs them on a small demo store: the SAE lands in
// the workspace in SAELens layout with its metrics, the caption-loss check writes eval.json, runs
// are logged, and a hook or width that does not fit is refused before any training.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <set>

#include "cli_run.h"
#include "core/io/safetensors.h"
#include "core/sae/sae_io.h"
#include "core/store/store_reader.h"
#include "core/tensor/convert.h"
#include "core/util/atomic_file.h"
#include "support/temp_dir.h"

using namespace loupe;
namespace fs = std::filesystem;
using loupe::test::kDemoModel;
using loupe::test::quoted;
using loupe::test::run_loupe;
using loupe::test::TempDir;

namespace {

const std::string kTinyModel = std::string(LOUPE_FIXTURES) + "/gemma3-tiny";

// docs/sae.md's held-out rule, written out here: splitmix64's first output for the state `row`.
uint64_t documented_row_hash(uint64_t row) {
  uint64_t z = row + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// The dataset rows a store holds out for `fraction`: row_hash(r) < fraction · 2^64, else the row of
// smallest hash.
std::set<int64_t> documented_held_out_rows(const store::StoreReader& store, double fraction) {
  std::set<int64_t> rows, held;
  for (int64_t row : store.entries().row) rows.insert(row);
  for (int64_t row : rows)
    if (static_cast<long double>(documented_row_hash(uint64_t(row))) < std::ldexp(static_cast<long double>(fraction), 64))
      held.insert(row);
  if (held.empty())
    held.insert(*std::min_element(rows.begin(), rows.end(), [](int64_t a, int64_t b) {
      return documented_row_hash(uint64_t(a)) < documented_row_hash(uint64_t(b));
    }));
  return held;
}


// A workspace with the demo model, an 8-row dataset and a store of blocks.{1,2}.hook_resid_post.
struct SaeStudy {
  TempDir dir{"loupe-sae-cli"};
  fs::path root = dir.path / "ws";
  SaeStudy() {
    for (const std::string& command :
         {"synth --out " + quoted(dir.path / "data") + " --n 8 --seed 5",
          "init --workspace " + quoted(root) + " --model '" + kDemoModel + "' --dataset " + quoted(dir.path / "data"),
          "extract --workspace " + quoted(root) + " --hooks 'blocks.{1,2}.hook_resid_post' --limit 8"}) {
      const auto run = run_loupe(command);
      INFO(command << "\n" << run.err);
      REQUIRE(run.status == 0);
    }
  }
  std::string train(const std::string& options) const {
    return "train-sae --workspace " + quoted(root) + " --expansion 2 --k 8 --batch 64 --tokens 3200 " + options;
  }
};

// Made once per test process: the extraction is the slow part.
const SaeStudy& shared_sae_study() {
  static const SaeStudy shared;
  return shared;
}

}  // namespace

TEST_CASE("train-sae trains on a store and eval-sae scores the caption loss", "[sae][cli]") {
  const SaeStudy& study = shared_sae_study();
  const auto trained = run_loupe(study.train("--hook blocks.2.hook_resid_post --out l2 --lr 0.005 --log-every 10"));
  INFO(trained.err);
  REQUIRE(trained.status == 0);
  CHECK_THAT(trained.out, Catch::Contains("explained variance"));
  CHECK_THAT(trained.err, Catch::Contains("step 50/50"));
  const fs::path folder = study.root / "saes" / "l2";
  const sae::Sae loaded = sae::load_sae(folder.string());
  CHECK(loaded.config.d_in == 256);
  CHECK(loaded.config.d_sae == 512);
  CHECK(loaded.config.hook_name == "blocks.2.hook_resid_post");
  for (const char* file : {"metrics.jsonl", "summary.json", "sparsity.safetensors", "checkpoint.safetensors", "train.log"})
    CHECK(fs::exists(folder / file));
  const auto runs = util::read_file((study.root / "runs.jsonl").string());
  CHECK_THAT(runs, Catch::Contains("\"command\":\"train-sae\""));

  const auto evaluated = run_loupe("eval-sae --workspace " + quoted(study.root) + " --sae l2 --split train --rows 4");
  INFO(evaluated.err);
  REQUIRE(evaluated.status == 0);
  const auto report = nlohmann::json::parse(util::read_file((folder / "eval.json").string()));
  CHECK(report["examples"].get<int64_t>() > 0);
  CHECK(report["positions"] == "text");
  CHECK(report["replaced_positions"].get<int64_t>() > 0);
  // Zeroing the caption tokens' residual stream at layer 2 hurts more than any reconstruction.
  CHECK(report["zero_ablation_loss"].get<double>() > report["clean_loss"].get<double>());
  CHECK(report["zero_ablation_loss"].get<double>() > report["sae_loss"].get<double>());
  CHECK(report["fraction_of_loss_recovered"].get<double>() > 0);
  CHECK(report["training"]["steps"] == 50);
  // The same runs split by caption language: the tokens add up, and the overall loss is their
  // token-weighted mean.
  const auto& en = report["by_language"]["en"];
  const auto& ar = report["by_language"]["ar"];
  REQUIRE(en["answer_tokens"].get<int64_t>() > 0);
  REQUIRE(ar["answer_tokens"].get<int64_t>() > 0);
  CHECK(en["answer_tokens"].get<int64_t>() + ar["answer_tokens"].get<int64_t>() == report["answer_tokens"].get<int64_t>());
  for (const char* loss : {"clean_loss", "sae_loss", "zero_ablation_loss"}) {
    const double weighted = (en[loss].get<double>() * en["answer_tokens"].get<double>() +
                             ar[loss].get<double>() * ar["answer_tokens"].get<double>()) /
                            report["answer_tokens"].get<double>();
    CHECK(weighted == Approx(report[loss].get<double>()).epsilon(1e-9));
  }
  CHECK_FALSE(report.contains("by_spliced_token_type"));  // text positions only: nothing to split

  // Over every position the SAE is spliced in at the image tokens only and at the text tokens only.
  const auto all = run_loupe("eval-sae --workspace " + quoted(study.root) + " --sae l2 --split train --rows 4 --positions all");
  INFO(all.err);
  REQUIRE(all.status == 0);
  const auto everywhere = nlohmann::json::parse(util::read_file((folder / "eval.json").string()));
  REQUIRE(everywhere.contains("by_spliced_token_type"));
  const auto& image = everywhere["by_spliced_token_type"]["image"];
  const auto& text = everywhere["by_spliced_token_type"]["text"];
  CHECK(image["replaced_positions"].get<int64_t>() + text["replaced_positions"].get<int64_t>() ==
        everywhere["replaced_positions"].get<int64_t>());
  CHECK(image["replaced_positions"].get<int64_t>() > 0);
  CHECK(text["replaced_positions"].get<int64_t>() > 0);
  // Zeroing only part of the positions hurts differently from zeroing them all, and the clean run is shared.
  CHECK(everywhere["clean_loss"].get<double>() == Approx(report["clean_loss"].get<double>()).epsilon(1e-9));
  CHECK(image["zero_ablation_loss"].get<double>() != everywhere["zero_ablation_loss"].get<double>());

  // Training the same name again without --resume is refused.
  const auto again = run_loupe(study.train("--hook blocks.2.hook_resid_post --out l2 --lr 0.005"));
  CHECK(again.status != 0);
  CHECK_THAT(again.err, Catch::Contains("resume"));
}

TEST_CASE("train-sae refuses hooks and widths that do not fit", "[sae][cli]") {
  const SaeStudy& study = shared_sae_study();
  const auto absent = run_loupe(study.train("--hook blocks.3.hook_resid_post --out x"));
  CHECK(absent.status != 0);
  CHECK_THAT(absent.err, Catch::Contains("blocks.1.hook_resid_post"));  // lists what the store has
  const auto unknown = run_loupe(study.train("--hook blocks.2.hook_resid_psot --out x"));
  CHECK(unknown.status != 0);
  const auto bad_k = run_loupe(study.train("--hook blocks.2.hook_resid_post --k 600 --out x"));
  CHECK(bad_k.status != 0);
  CHECK_THAT(bad_k.err, Catch::Contains("--k"));
  CHECK_FALSE(fs::exists(study.root / "saes" / "x" / "checkpoint.safetensors"));

  // The same store under a workspace whose model is 64 wide.
  const fs::path other = study.dir.path / "other";
  const auto init = run_loupe("init --workspace " + quoted(other) + " --model '" + kTinyModel + "' --dataset " +
                              quoted(study.dir.path / "data"));
  REQUIRE(init.status == 0);
  fs::copy(study.root / "stores" / "acts", other / "stores" / "acts", fs::copy_options::recursive);
  const auto mismatch = run_loupe("train-sae --workspace " + quoted(other) +
                                  " --hook blocks.1.hook_resid_post --out x --batch 64 --tokens 640");
  CHECK(mismatch.status != 0);
  CHECK_THAT(mismatch.err, Catch::Contains("width 256") && Catch::Contains("width 64"));
}

TEST_CASE("train-sae reports the saved SAE's figures on the store's held-out rows", "[sae][cli]") {
  const SaeStudy& study = shared_sae_study();
  const auto trained = run_loupe(study.train("--hook blocks.2.hook_resid_post --out held --lr 0.005"));
  INFO(trained.err);
  REQUIRE(trained.status == 0);
  const fs::path folder = study.root / "saes" / "held";
  const auto summary = nlohmann::json::parse(util::read_file((folder / "summary.json").string()));
  INFO(summary.dump());

  // The held-out vectors by the documented rule (default fraction 0.05), and the saved SAE on them.
  const auto store = store::StoreReader::open(study.root / "stores" / "acts");
  const std::set<int64_t> held = documented_held_out_rows(store, 0.05);
  const torch::Tensor entries = store.row_index(0, store.count());  // [count]
  std::vector<int64_t> indices;
  for (int64_t v = 0; v < store.count(); ++v)
    if (held.count(store.entries().row[size_t(entries[v].item<int64_t>())])) indices.push_back(v);
  REQUIRE(!indices.empty());
  torch::NoGradGuard no_grad;
  const torch::Tensor x = store.gather("blocks.2.hook_resid_post", indices).to(torch::kFloat64);  // [n, 256]
  const sae::Sae saved = sae::load_sae(folder.string());
  const torch::Tensor error = saved.reconstruct(x.to(torch::kFloat32)).to(torch::kFloat64) - x;  // [n, 256]
  const double explained = 1.0 - error.pow(2).sum().item<double>() / (x - x.mean(0, true)).pow(2).sum().item<double>();
  CHECK(summary["explained_variance"].get<double>() == Approx(explained).margin(1e-4));
  CHECK(summary["mse"].get<double>() == Approx(error.pow(2).sum(1).mean().item<double>()).epsilon(1e-4));
  CHECK(summary["held_out"]["vectors"] == int64_t(indices.size()));
  CHECK(summary["held_out"]["rows"] == int64_t(held.size()));
  // The last line names the running figure apart from the final one.
  CHECK_THAT(trained.out, Catch::Contains("held-out vectors") && Catch::Contains("running window"));
}

TEST_CASE("train-sae refuses a held-out share that is not above 0 and at most 0.5", "[sae][cli]") {
  const SaeStudy& study = shared_sae_study();
  for (const char* share : {"0", "0.6", "nan"}) {
    const auto refused = run_loupe(study.train("--hook blocks.2.hook_resid_post --out h --held-out " + std::string(share)));
    INFO(share << ": " << refused.err);
    CHECK(refused.status != 0);
    CHECK_THAT(refused.err, Catch::Contains("--held-out"));
  }
}

TEST_CASE("train-sae refuses impossible numbers with a clear error and leaves no folder behind", "[sae][cli]") {
  const SaeStudy& study = shared_sae_study();
  struct Case {
    std::string options, names;
  };
  const std::vector<Case> cases{
      {"--batch 0 --tokens 3200", "--batch"},  // divided by before any check: SIGFPE
      {"--batch -4 --tokens 3200", "--batch"},
      {"--batch 64 --tokens 0", "--tokens"},  // silently meant the 2,000,000-token default
      {"--batch 64 --tokens 3200 --kind relu --l1 inf", "--l1"},  // saved a NaN SAE
      {"--batch 64 --tokens 3200 --expansion 100000000", "--expansion"},  // a raw allocation failure
      {"--batch 64 --tokens 3200 --expansion 9223372036854775807", "--expansion"},
  };
  for (const Case& bad : cases) {
    const auto refused = run_loupe("train-sae --workspace " + quoted(study.root) +
                                   " --hook blocks.2.hook_resid_post --out refused " + bad.options);
    INFO(bad.options << ": " << refused.err);
    CHECK(refused.status == 1);
    CHECK_THAT(refused.err, Catch::Contains(bad.names) && !Catch::Contains("more than once"));
    CHECK_THAT(refused.err, !Catch::Contains("internal error"));
    CHECK_FALSE(fs::exists(study.root / "saes" / "refused"));
  }
  // A run that fails once training has started removes the folder it made (no checkpoint yet).
  const auto diverged = run_loupe(study.train("--hook blocks.2.hook_resid_post --out diverged --lr 1e30"));
  INFO(diverged.err);
  CHECK(diverged.status == 1);
  CHECK_THAT(diverged.err, Catch::Contains("diverged"));
  CHECK_FALSE(fs::exists(study.root / "saes" / "diverged"));
}

TEST_CASE("eval-sae refuses bad SAE files and pooled positions, naming what is wrong", "[sae][cli]") {
  const SaeStudy& study = shared_sae_study();
  const fs::path saes = study.root / "saes";
  // An SAE of the width of blocks.2.hook_resid_post (256), written directly.
  auto saved = [&](const std::string& name, const std::function<void(sae::Sae&)>& edit = {}) {
    sae::SaeConfig config;
    config.d_in = 256;
    config.d_sae = 512;
    config.k = 8;
    config.hook_name = "blocks.2.hook_resid_post";
    config.extra["loupe_positions"] = "text";
    sae::Sae made = sae::Sae::initialized(config, 2);
    if (edit) edit(made);
    sae::save_sae((saes / name).string(), made);
    return saes / name;
  };
  auto eval = [&](const std::string& name, const std::string& more = "") {
    return run_loupe("eval-sae --workspace " + quoted(study.root) + " --sae " + name + " --split train --rows 2 " + more);
  };
  auto expect_refused = [](const loupe::test::CliRun& run, const std::vector<std::string>& names) {
    INFO(run.err);
    CHECK(run.status == 1);
    for (const std::string& name : names) CHECK_THAT(run.err, Catch::Contains(name));
    CHECK_THAT(run.err, !Catch::Contains("internal error"));
  };

  // The option is to blame for a pooled rule it gives, cfg.json for one it records.
  const fs::path good = saved("good");
  const auto last = eval("good", "--positions last");
  expect_refused(last, {"positions 'last'", "caption-loss check"});
  CHECK_THAT(last.err, !Catch::Contains("loupe_positions"));
  auto cfg = nlohmann::json::parse(util::read_file((good / "cfg.json").string()));
  cfg["loupe_positions"] = "mean-text";
  util::write_file_atomic((good / "cfg.json").string(), cfg.dump());
  expect_refused(eval("good"), {(good / "cfg.json").string(), "loupe_positions"});
  cfg["loupe_positions"] = "text";
  cfg["activation_fn_kwargs"]["k"] = "8";
  util::write_file_atomic((good / "cfg.json").string(), cfg.dump());
  expect_refused(eval("good"), {(good / "cfg.json").string(), "`k`"});

  // NaN weights and an I32 b_dec were evaluated (explained variance -1.2e17).
  const fs::path nan = saved("nan", [](sae::Sae& s) { s.W_dec[5][3] = std::numeric_limits<float>::quiet_NaN(); });
  expect_refused(eval("nan"), {(nan / "sae_weights.safetensors").string(), "W_dec", "NaN"});
  const fs::path integer = saved("integer");
  const sae::Sae loaded = sae::load_sae(integer.string());
  tensor::save((integer / "sae_weights.safetensors").string(),
               {{"W_enc", loaded.W_enc}, {"W_dec", loaded.W_dec}, {"b_enc", loaded.b_enc},
                {"b_dec", torch::zeros({256}, torch::kInt32)}});
  expect_refused(eval("integer"), {(integer / "sae_weights.safetensors").string(), "b_dec", "I32"});

  // The training summary that eval.json embeds: read before the model runs.
  const fs::path summarised = saved("summarised");
  util::write_file_atomic((summarised / "summary.json").string(), "{\"steps\": ");
  expect_refused(eval("summarised"), {(summarised / "summary.json").string(), "malformed JSON"});
  util::write_file_atomic((summarised / "summary.json").string(), "[1, 2]");
  expect_refused(eval("summarised"), {(summarised / "summary.json").string(), "object"});
}

TEST_CASE("train-sae --resume refuses a checkpoint with an impossible step and keeps the folder", "[sae][cli]") {
  const SaeStudy& study = shared_sae_study();
  const std::string command =
      "train-sae --workspace " + quoted(study.root) + " --hook blocks.1.hook_resid_post --out resumed --expansion 2 "
      "--k 8 --batch 64 --tokens 640 --checkpoint-every 5";
  const auto first = run_loupe(command);
  INFO(first.err);
  REQUIRE(first.status == 0);
  const std::string checkpoint = (study.root / "saes" / "resumed" / "checkpoint.safetensors").string();
  {
    tensor::NamedTensors tensors;
    std::map<std::string, std::string> metadata;
    {
      const io::SafeTensors file = io::SafeTensors::open(checkpoint);
      for (const std::string& name : file.names()) tensors.emplace_back(name, tensor::view_of(file.at(name)).clone());
      metadata = file.metadata();
    }
    auto state = nlohmann::json::parse(metadata.at("loupe_sae_state"));
    state["step"] = 1000000000000LL;
    metadata["loupe_sae_state"] = state.dump();
    tensor::save(checkpoint, tensors, metadata);
  }
  const auto resumed = run_loupe(command + " --resume");
  INFO(resumed.err);
  CHECK(resumed.status == 1);
  CHECK_THAT(resumed.err, Catch::Contains(checkpoint) && Catch::Contains("`step`") && Catch::Contains("stays"));
  CHECK(fs::exists(checkpoint));
}

TEST_CASE("train-sae refuses an unfinished store and a shard changed since extraction (issue 21)", "[sae][cli]") {
  const SaeStudy& study = shared_sae_study();
  const fs::path stores = study.root / "stores";
  auto copy_store = [&](const std::string& name) {
    fs::remove_all(stores / name);
    fs::copy(stores / "acts", stores / name, fs::copy_options::recursive);
    return stores / name;
  };
  auto train_on = [&](const std::string& name) {
    return run_loupe(study.train("--store " + name + " --hook blocks.2.hook_resid_post --out on-" + name));
  };

  const fs::path unfinished = copy_store("unfinished");
  auto manifest = nlohmann::json::parse(util::read_file((unfinished / "manifest.json").string()));
  manifest["complete"] = false;
  util::write_file_atomic((unfinished / "manifest.json").string(), manifest.dump());
  const auto refused = train_on("unfinished");
  INFO(refused.err);
  CHECK(refused.status == 1);
  CHECK_THAT(refused.err, Catch::Contains((unfinished / "manifest.json").string()) && Catch::Contains("`complete`: false") &&
                              Catch::Contains("--resume"));
  CHECK_FALSE(fs::exists(study.root / "saes" / "on-unfinished"));

  // One byte of a vector changed, the size kept: only the checksum can tell.
  const fs::path changed = copy_store("changed");
  const std::string shard = (changed / store::shard_name(0)).string();
  std::string bytes = util::read_file(shard);
  bytes[bytes.size() - 3] ^= 0x40;
  util::write_file_atomic(shard, bytes);
  const auto mismatch = train_on("changed");
  INFO(mismatch.err);
  CHECK(mismatch.status == 1);
  CHECK_THAT(mismatch.err, Catch::Contains(shard) && Catch::Contains("SHA-256"));
  CHECK_FALSE(fs::exists(study.root / "saes" / "on-changed"));
}

TEST_CASE("eval-sae refuses a --rows below 1 instead of reading it as every row (issue 21)", "[sae][cli]") {
  const SaeStudy& study = shared_sae_study();
  sae::SaeConfig config;
  config.d_in = 256;
  config.d_sae = 512;
  config.k = 8;
  config.hook_name = "blocks.2.hook_resid_post";
  sae::save_sae((study.root / "saes" / "rows").string(), sae::Sae::initialized(config, 3));
  for (const char* rows : {"-1", "0"}) {
    const auto run = run_loupe("eval-sae --workspace " + quoted(study.root) + " --sae rows --rows " + rows);
    INFO(run.err);
    CHECK(run.status == 1);
    CHECK_THAT(run.err, Catch::Contains(std::string("--rows must be at least 1, got ") + rows));
  }
}
