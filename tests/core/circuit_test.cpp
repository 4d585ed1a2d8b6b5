// `loupe circuit` (core/study/circuit.h) on the demo model: the pruning rule holds at every step,
// the kept components are those whose ablation would break it, the batched evaluation equals a
// from-scratch one, the graph joins its nodes along the residual stream; refusals.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "core/jobs/standalone_job.h"
#include "core/model/inputs.h"
#include "core/study/circuit.h"
#include "support/temp_dir.h"

using namespace loupe;
namespace fs = std::filesystem;

namespace {

std::vector<study::DatasetImage> demo_images(std::initializer_list<const char*> names) {
  std::vector<study::DatasetImage> images;
  for (const char* name : names) images.push_back({std::string(LOUPE_SOURCE_DIR) + "/assets/demo/images/" + name, -1});
  return images;
}

}  // namespace

TEST_CASE("iterative pruning keeps the metric within the threshold and keeps what would break it", "[circuit]") {
  const auto vlm = model::load_vlm(test::kDemoModel);
  const auto tokenizer = model::model_tokenizer(test::kDemoModel);
  const auto images = demo_images({"kitchen.png", "garage.png", "classroom-man.png"});
  study::CircuitRequest request;
  request.threshold = 0.2;
  jobs::StandaloneJob job;
  const study::Circuit circuit = study::prune_circuit(*vlm, *tokenizer, images, request, job.context());
  const int64_t components = vlm->config.text.layers * (vlm->config.text.heads + 1);
  REQUIRE(circuit.entries == 6);  // three images, two languages, each caption gendered
  REQUIRE(circuit.full_metric > 0);  // the model prefers the gender it states
  CHECK(int64_t(circuit.pruned.size() + circuit.kept.size()) == components);
  CHECK(circuit.table.row_count() == size_t(components));
  const double tolerance = request.threshold * circuit.full_metric;
  for (const auto& step : circuit.pruned) CHECK(std::abs(step.metric - circuit.full_metric) <= tolerance);
  REQUIRE(circuit.kept_effect.size() == circuit.kept.size());
  for (double effect : circuit.kept_effect) CHECK(std::abs(circuit.pruned_metric + effect - circuit.full_metric) > tolerance);
  CHECK(!circuit.pruned.empty());
  CHECK(!circuit.kept.empty());

  // The batched candidate rows give what one run with the pruned set alone gives.
  std::vector<study::CircuitComponent> pruned;
  for (const auto& step : circuit.pruned) pruned.push_back(step.component);
  CHECK(study::circuit_metric(*vlm, *tokenizer, images, request, pruned, job.context()) ==
        Approx(circuit.pruned_metric).epsilon(1e-4).margin(1e-5));
  CHECK(study::circuit_metric(*vlm, *tokenizer, images, request, {}, job.context()) ==
        Approx(circuit.full_metric).epsilon(1e-5));

  // The graph: embed, the kept components, logits; edges only forward along the residual stream.
  const auto& nodes = circuit.graph["nodes"];
  REQUIRE(nodes.size() == circuit.kept.size() + 2);
  std::map<std::string, int64_t> layer_of;
  for (const auto& node : nodes) layer_of[node["id"].get<std::string>()] = node["layer"].get<int64_t>();
  CHECK(layer_of.count("embed"));
  CHECK(layer_of.count("logits"));
  for (const auto& edge : circuit.graph["edges"]) CHECK(layer_of.at(edge[0]) <= layer_of.at(edge[1]));
  CHECK(circuit.graph["edges"].size() >= nodes.size() - 1);  // embed reaches everything

  study::CircuitRequest loose = request;
  loose.threshold = 1e9;
  const study::Circuit everything = study::prune_circuit(*vlm, *tokenizer, images, loose, job.context());
  CHECK(everything.kept.empty());
  CHECK(int64_t(everything.pruned.size()) == components);
}

TEST_CASE("loupe circuit writes the components and the graph, and refuses bad options", "[cli][circuit]") {
  test::TempDir dir("loupe-circuit");
  const fs::path root = dir.path / "ws";
  const std::string images = std::string(LOUPE_SOURCE_DIR) + "/assets/demo/images/";
  REQUIRE(test::run_loupe("init --workspace '" + root.string() + "' --dataset '" + images + "'").status == 0);
  const std::string base = "circuit --workspace '" + root.string() + "' --image '" + images + "kitchen.png' --lang en ";
  const auto run = test::run_loupe(base + "--json");
  INFO(run.err);
  REQUIRE(run.status == 0);
  const auto out = nlohmann::json::parse(run.out);
  CHECK(out["entries"] == 1);
  std::set<std::string> kept;
  for (const auto& row : out["components"])
    if (row["kept"] == 1) kept.insert(row["component"].get<std::string>());
  CHECK(out["graph"]["nodes"].size() == kept.size() + 2);
  CHECK(fs::exists(root / "analyses" / "circuit" / "circuit.csv"));
  CHECK(fs::exists(root / "analyses" / "circuit" / "graph.json"));

  for (const auto& [options, part] : std::vector<std::pair<std::string, std::string>>{
           {"--threshold -1", "--threshold"}, {"--threshold many", "--threshold"}, {"--batch 0", "--batch"}}) {
    const auto bad = test::run_loupe(base + options + " --out bad");
    INFO(options << "\n" << bad.err);
    CHECK(bad.status == 1);
    CHECK_THAT(bad.err, Catch::Contains(part));
  }
  CHECK_FALSE(fs::exists(root / "analyses" / "bad"));
}
