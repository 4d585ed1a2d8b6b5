// Layer analyses (core/analysis/layer_probes.h, `loupe analyze probe|rank`): the logistic
// regression's optimality conditions, stratified folds, probe accuracy on data with a known answer,
// the effective rank of a known spectrum, pooled entry vectors, and the commands on a demo store.
#include <algorithm>

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "core/analysis/layer_probes.h"
#include "core/analysis/feature_analysis.h"
#include "core/analysis/pca.h"
#include "core/io/safetensors.h"
#include "core/tensor/convert.h"
#include "core/error.h"
#include "core/store/store_reader.h"
#include "core/study/layer_analyses.h"
#include "support/temp_dir.h"

using namespace loupe;
namespace fs = std::filesystem;

TEST_CASE("the logistic fit meets scikit-learn's optimality conditions", "[analysis][probe]") {
  torch::manual_seed(2);
  const torch::Tensor x = torch::randn({200, 5}, torch::kFloat64);
  const torch::Tensor truth = torch::tensor({1.5, -2.0, 0.0, 0.5, 1.0}, torch::kFloat64);
  const torch::Tensor y = (x.matmul(truth) + 0.3 + torch::randn({200}, torch::kFloat64)).gt(0).to(torch::kFloat64);
  for (double C : {0.01, 1.0, 100.0}) {
    INFO("C " << C);
    const analysis::LogisticModel model = analysis::fit_logistic(x, y, C);
    const torch::Tensor p = torch::sigmoid(x.matmul(model.weights) + model.bias);
    // ∇ of ½‖w‖² + C Σ logloss: w + C Xᵀ(p − y) = 0, and C Σ(p − y) = 0 for the unpenalised bias.
    const double tolerance = 1e-9 * (1 + C * 200);  // the objective's scale
    CHECK((model.weights + C * x.t().matmul(p - y)).abs().max().item<double>() < tolerance);
    CHECK(std::abs(C * (p - y).sum().item<double>()) < tolerance);
  }
}

TEST_CASE("stratified folds deal each class evenly and are seeded", "[analysis][probe]") {
  std::vector<int64_t> labels;
  for (int i = 0; i < 23; ++i) labels.push_back(i < 13 ? 1 : 0);
  const auto folds = analysis::stratified_folds(labels, 5, 7);
  for (int64_t label : {0, 1})
    for (int64_t f = 0; f < 5; ++f) {
      int64_t in_fold = 0;
      for (size_t i = 0; i < labels.size(); ++i) in_fold += labels[i] == label && folds[i] == f;
      CHECK(in_fold >= (label ? 2 : 2));
      CHECK(in_fold <= 3);
    }
  CHECK(analysis::stratified_folds(labels, 5, 7) == folds);
  CHECK(analysis::stratified_folds(labels, 5, 8) != folds);
  CHECK_THROWS_WITH(analysis::stratified_folds(labels, 11, 0), Catch::Contains("fewer than the 11 folds"));
}

TEST_CASE("a probe reads a planted direction perfectly and random labels at chance", "[analysis][probe]") {
  torch::manual_seed(4);
  const torch::Tensor x = torch::randn({300, 8}, torch::kFloat64);
  std::vector<int64_t> planted, random;
  for (int64_t i = 0; i < 300; ++i) {
    planted.push_back(x[i][3].item<double>() > 0 ? 1 : 0);
    random.push_back(i % 2);
  }
  const auto perfect = analysis::probe_accuracy(x, planted, analysis::stratified_folds(planted, 5, 0), 1.0);
  CHECK(perfect.mean >= 0.97);
  CHECK(perfect.fold_accuracy.size() == 5);
  const auto chance = analysis::probe_accuracy(x, random, analysis::stratified_folds(random, 5, 0), 1.0);
  CHECK(chance.mean > 0.35);
  CHECK(chance.mean < 0.65);
  CHECK(chance.std >= 0);
}

TEST_CASE("a probe fit on a confounded split reads the confound, which a held-out split exposes", "[analysis][probe]") {
  // Feature 0 is the "scene": on the 200 training samples it equals the label, on the 100 test
  // samples (counter-stereotypical) it is the opposite. Feature 1 carries the label weakly everywhere.
  torch::manual_seed(5);
  const torch::Tensor x = torch::randn({300, 4}, torch::kFloat64);
  std::vector<int64_t> labels;
  std::vector<bool> held_out;
  for (int64_t i = 0; i < 300; ++i) {
    const int64_t label = i % 2;
    const bool test = i >= 200;
    x[i][0] = (label == 1) != test ? 3.0 : -3.0;
    x[i][1] += label == 1 ? 0.3 : -0.3;
    labels.push_back(label);
    held_out.push_back(test);
  }
  const torch::Tensor train_x = x.narrow(0, 0, 200);
  const std::vector<int64_t> train_labels(labels.begin(), labels.begin() + 200);
  CHECK(analysis::probe_accuracy(train_x, train_labels, analysis::stratified_folds(train_labels, 5, 0), 1.0).mean == 1.0);
  CHECK(analysis::held_out_accuracy(x, labels, held_out, 1.0) < 0.1);
  CHECK_THROWS_AS(analysis::held_out_accuracy(x, labels, std::vector<bool>(300, false), 1.0), InputError);
}

TEST_CASE("the effective rank and information content of a known spectrum", "[analysis][rank]") {
  torch::manual_seed(6);
  const int64_t n = 200, d = 6;
  // Centred columns, orthogonal to each other: an exact singular value decomposition.
  torch::Tensor q = std::get<0>(torch::linalg_qr(torch::randn({n, d}, torch::kFloat64) - 0.0));
  q = q - q.mean(0);
  q = std::get<0>(torch::linalg_qr(q));
  const std::vector<double> s = {10, 6, 3, 1, 0.5, 0.1};
  const torch::Tensor vectors = q.matmul(torch::diag(torch::tensor(s, torch::kFloat64))) + 5.0;  // an offset to centre away
  const analysis::RankFigures figures = analysis::effective_rank(vectors);
  double total = 0, running = 0, sum = 0, entropy = 0;
  for (double v : s) total += v * v, sum += v;
  int64_t needed = 0;
  for (double v : s) {
    if (running / total >= 0.95) break;
    running += v * v;
    ++needed;
  }
  for (double v : s) entropy -= v / sum * std::log(v / sum);
  CHECK(figures.components_95 == needed);  // 100 + 36 of 146.26 is 93%; + 9 reaches 99.2%: 3
  CHECK(needed == 3);
  CHECK(figures.information_content == Approx(entropy).epsilon(1e-6));
  CHECK_THROWS_AS(analysis::effective_rank(vectors.narrow(0, 0, 1)), InputError);
}

TEST_CASE("loupe analyze probe, rank and embed and loupe direction --workspace read a demo store", "[cli][probe][rank]") {
  test::TempDir dir("loupe-layers");
  const fs::path root = dir.path / "study";
  const std::string images = std::string(LOUPE_SOURCE_DIR) + "/assets/demo/images";
  REQUIRE(test::run_loupe("init --workspace " + loupe::test::quoted(root) + " --dataset '" + images + "'").status == 0);
  const auto extracted = test::run_loupe("extract --workspace " + loupe::test::quoted(root) + " --hooks 'blocks.{0,3}.hook_resid_post'");
  INFO(extracted.err);
  REQUIRE(extracted.status == 0);

  // Pooled vectors: the mean of each entry's stored vectors.
  const auto store = store::StoreReader::open(root / "stores" / "acts");
  const auto pooled = analysis::pooled_entry_vectors(store, "blocks.3.hook_resid_post");
  REQUIRE(pooled.entries.size() == 20);
  const torch::Tensor rows = store.row_index(0, store.count());
  const torch::Tensor first = store.read("blocks.3.hook_resid_post", 0, store.count()).index({rows.eq(pooled.entries[0])});
  CHECK(torch::allclose(pooled.vectors[0], first.to(torch::kFloat64).mean(0), 1e-6, 1e-9));

  const auto probe = test::run_loupe("analyze probe --workspace " + loupe::test::quoted(root) + " --json");
  INFO(probe.err);
  REQUIRE(probe.status == 0);
  const auto table = nlohmann::json::parse(probe.out);
  REQUIRE(table.size() == 10);  // 2 hooks × (figure en, ar; caption en, ar; language)
  for (const auto& row : table) {
    INFO(row.dump());
    CHECK(row["folds"] == 5);
    CHECK(row["accuracy_mean"].get<double>() >= 0.0);
    CHECK(row["accuracy_mean"].get<double>() <= 1.0);
    if (row["target"] == "language") {
      CHECK(row["lang"] == "both");
      CHECK(row["entries"] == 20);
      CHECK(row["accuracy_mean"] == 1.0);  // English and Arabic captions share no token
    } else {
      CHECK(row["entries"] == 10);
    }
  }
  CHECK(fs::exists(root / "analyses" / "layers" / "probe.csv"));

  // A store of English captions alone probes English alone (it used to fail on its missing Arabic).
  REQUIRE(test::run_loupe("extract --workspace " + loupe::test::quoted(root) +
                          " --hooks blocks.0.hook_resid_post --langs en --out en").status == 0);
  const auto english_probe = test::run_loupe("analyze probe --workspace " + loupe::test::quoted(root) +
                                       " --store en --targets figure --out en --json");
  INFO(english_probe.err);
  REQUIRE(english_probe.status == 0);
  const auto english_rows = nlohmann::json::parse(english_probe.out);
  REQUIRE(english_rows.size() == 1);
  CHECK(english_rows[0]["lang"] == "en");
  CHECK(english_rows[0]["entries"] == 10);

  const auto rank = test::run_loupe("analyze rank --workspace " + loupe::test::quoted(root) + " --out r --json");
  INFO(rank.err);
  REQUIRE(rank.status == 0);
  const auto ranks = nlohmann::json::parse(rank.out);
  REQUIRE(ranks.size() == 2);
  for (const auto& row : ranks) {
    CHECK(row["entries_en"] == 10);
    CHECK(row["rank_en"].get<int>() >= 1);
    CHECK(row["rank_en"].get<int>() <= 9);  // 10 centred vectors span at most 9 directions
    CHECK(row["rank_difference"] == row["rank_en"].get<int>() - row["rank_ar"].get<int>());
  }
  CHECK(fs::exists(root / "analyses" / "r" / "rank.json"));

  // A labelled map of the pooled vectors: one point per entry, its labels beside the PCA coordinates.
  const auto map = test::run_loupe("analyze embed --workspace " + loupe::test::quoted(root) +
                                   " --hooks blocks.3.hook_resid_post,blocks.0.hook_resid_post --json");
  INFO(map.err);
  REQUIRE(map.status == 0);
  const auto by_name = nlohmann::json::parse(map.out);
  CHECK(by_name.size() == 2);  // one map a hook
  CHECK(by_name.contains("blocks.0.hook_resid_post-pca"));
  const auto& points = by_name["blocks.3.hook_resid_post-pca"];
  REQUIRE(points.size() == 20);
  const torch::Tensor expected = analysis::pca(pooled.vectors, 2).embedding;  // [20, 2]
  for (size_t i = 0; i < points.size(); ++i) {
    CHECK(points[i]["entry"] == pooled.entries[i]);
    CHECK((points[i]["lang"] == "en" || points[i]["lang"] == "ar"));
    CHECK(points[i].contains("figure_gender"));
    CHECK(points[i]["x"].get<double>() == Approx(expected[int64_t(i)][0].item<double>()).margin(1e-4));
    CHECK(points[i]["y"].get<double>() == Approx(expected[int64_t(i)][1].item<double>()).margin(1e-4));
  }
  const fs::path maps = root / "analyses" / "maps";
  CHECK(tensor::load((maps / "blocks.3.hook_resid_post-pca.safetensors").string(), "ids").size(0) == 20);
  const auto tsne = test::run_loupe("analyze embed --workspace " + loupe::test::quoted(root) +
                                    " --hooks blocks.0.hook_resid_post --method tsne --perplexity 5 --iterations 300");
  INFO(tsne.err);
  CHECK(tsne.status == 0);
  CHECK(fs::exists(maps / "blocks.0.hook_resid_post-tsne.csv"));
  const auto crowded = test::run_loupe("analyze embed --workspace " + loupe::test::quoted(root) +
                                       " --hooks blocks.0.hook_resid_post --method tsne --out bad");
  CHECK(crowded.status == 1);  // perplexity 30 with 20 points
  CHECK_THAT(crowded.err, Catch::Contains("perplexity"));
  const auto both = test::run_loupe("analyze embed --workspace " + loupe::test::quoted(root) + " --out bad");
  CHECK(both.status == 1);
  CHECK_THAT(both.err, Catch::Contains("give one"));

  // Directions read off the store: the female − male mean of pooled vectors, a principal component.
  const std::string direction = "direction --workspace " + loupe::test::quoted(root) + " --hook blocks.3.hook_resid_post ";
  const auto mean_difference = test::run_loupe(direction + "--by caption --name g3");
  INFO(mean_difference.err);
  REQUIRE(mean_difference.status == 0);
  const fs::path g3 = root / "directions" / "g3.safetensors";
  std::vector<int64_t> female, male;
  for (size_t i = 0; i < pooled.entries.size(); ++i) {
    const int group = analysis::gender_group(store.entries(), pooled.entries[i], analysis::GenderGrouping::Caption);
    (group > 0 ? female : male).push_back(int64_t(i));
    if (group == 0) male.pop_back();
  }
  REQUIRE(!female.empty());
  REQUIRE(!male.empty());
  const torch::Tensor expected_difference =
      pooled.vectors.index_select(0, torch::tensor(female)).mean(0) - pooled.vectors.index_select(0, torch::tensor(male)).mean(0);
  CHECK(torch::allclose(tensor::load(g3.string(), "g3").to(torch::kFloat64), expected_difference, 1e-5, 1e-6));
  CHECK(io::SafeTensors::open(g3.string()).metadata().at("g3") == "blocks.3.hook_resid_post");
  CHECK(nlohmann::json::parse(io::SafeTensors::open(g3.string()).metadata().at("provenance"))["female"] == female.size());
  REQUIRE(test::run_loupe(direction + "--from pc --lang en --name pc3").status == 0);
  const auto english = study::select_pooled(pooled, store.entries(), Language::English, "");
  CHECK(torch::allclose(tensor::load((root / "directions" / "pc3.safetensors").string(), "pc3"),
                        analysis::pca(english.vectors, 1).components[0], 1e-4, 1e-5));
  // A selection (a box on a map): the chosen entries' mean minus the other entries' mean.
  const std::vector<int64_t> chosen_rows = {1, 4, 7};
  std::vector<int64_t> rest_rows;
  std::string chosen_entries;
  for (int64_t i = 0; i < int64_t(pooled.entries.size()); ++i) {
    if (std::find(chosen_rows.begin(), chosen_rows.end(), i) == chosen_rows.end()) {
      rest_rows.push_back(i);
    } else {
      chosen_entries += (chosen_entries.empty() ? "" : ",") + std::to_string(pooled.entries[size_t(i)]);
    }
  }
  const auto selection = test::run_loupe(direction + "--from selection --entries " + chosen_entries + " --name sel");
  INFO(selection.err);
  REQUIRE(selection.status == 0);
  const torch::Tensor expected_selection = pooled.vectors.index_select(0, torch::tensor(chosen_rows)).mean(0) -
                                           pooled.vectors.index_select(0, torch::tensor(rest_rows)).mean(0);
  CHECK(torch::allclose(tensor::load((root / "directions" / "sel.safetensors").string(), "sel").to(torch::kFloat64),
                        expected_selection, 1e-5, 1e-6));
  test::check_loupe_refuses(direction + "--from selection --entries 1,99999 --name bad", "do not include entry 99999");
  test::check_loupe_refuses(direction + "--from selection --name bad", "--entries");
  test::check_loupe_refuses(direction + "--from selection --entries 1,x --name bad", "'x'");
  test::check_loupe_refuses(direction + "--from median --name bad", "median");
  test::check_loupe_refuses(direction + "--from pc --lang en --component 10 --name bad", "past the 10 components");
  CHECK_FALSE(fs::exists(root / "directions" / "bad.safetensors"));

  const auto refused = [&](const std::string& options, const std::string& part) {
    const auto bad = test::run_loupe("analyze probe --workspace " + loupe::test::quoted(root) + " --out bad " + options);
    INFO(options << "\n" << bad.err);
    CHECK(bad.status == 1);
    CHECK_THAT(bad.err, Catch::Contains(part));
  };
  // --by figure: the figure-gender probes and language, as --targets figure,language.
  const auto by = test::run_loupe("analyze probe --workspace " + loupe::test::quoted(root) + " --by figure --out by --json");
  INFO(by.err);
  REQUIRE(by.status == 0);
  const auto by_table = nlohmann::json::parse(by.out);
  CHECK(by_table.size() == 6);  // 2 hooks × (figure en, ar; language)
  for (const auto& row : by_table) CHECK(row["target"] != "caption");
  refused("--by height", "--by takes figure or caption");
  refused("--by figure --targets caption", "not both");
  refused("--folds 6", "fewer than the 6 folds");
  refused("--targets height", "unknown probe target");
  refused("--hooks blocks.1.hook_resid_post", "blocks.1.hook_resid_post");
  refused("--C 0", "--C");
  CHECK_FALSE(fs::exists(root / "analyses" / "bad"));
}

TEST_CASE("loupe analyze probe --test-split fits on one split and scores another", "[cli][probe]") {
  test::TempDir dir("loupe-probe-split");
  const fs::path root = dir.path / "ws";
  const std::string ws = " --workspace " + loupe::test::quoted(root);
  REQUIRE(test::run_loupe("synth --out " + loupe::test::quoted(dir.path / "data") + " --n 24 --seed 5").status == 0);
  REQUIRE(test::run_loupe("init" + ws + " --model '" + test::kDemoModel + "' --dataset " + loupe::test::quoted(dir.path / "data"))
              .status == 0);
  REQUIRE(test::run_loupe("extract" + ws + " --hooks blocks.0.hook_resid_post --positions mean-image --langs en").status == 0);

  const auto held = test::run_loupe("analyze probe" + ws + " --targets figure --split train --test-split counter --out held --json");
  INFO(held.err);
  REQUIRE(held.status == 0);
  const auto rows = nlohmann::json::parse(held.out);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["tested_on"] == "counter");
  CHECK(rows[0]["folds"] == 0);
  CHECK(rows[0]["entries"] == 19);  // 17 woman and man figures of train, 2 of counter
  const double accuracy = rows[0]["accuracy_mean"].get<double>();
  CHECK((accuracy == 0.0 || accuracy == 0.5 || accuracy == 1.0));  // one of the 2 counter entries' outcomes

  const auto folds = test::run_loupe("analyze probe" + ws + " --targets figure --split train --folds 3 --out cv --json");
  INFO(folds.err);
  REQUIRE(folds.status == 0);
  CHECK(nlohmann::json::parse(folds.out)[0]["tested_on"] == "folds");

  const auto same = test::run_loupe("analyze probe" + ws + " --split train --test-split train --out bad");
  CHECK(same.status == 1);
  CHECK_THAT(same.err, Catch::Contains("--test-split"));
  const auto exported = test::run_loupe("analyze probe" + ws + " --test-split counter --export-data --out bad");
  CHECK(exported.status == 1);
  CHECK_THAT(exported.err, Catch::Contains("--export-data"));
  const auto empty = test::run_loupe("analyze probe" + ws + " --targets figure --split train --test-split dev --out bad");
  CHECK(empty.status == 1);
  CHECK_THAT(empty.err, Catch::Contains("no entry of the test split dev"));
  CHECK_FALSE(fs::exists(root / "analyses" / "bad"));
}
