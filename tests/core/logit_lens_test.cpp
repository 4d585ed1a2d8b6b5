// The logit lens and direct logit attribution (core/study/logit_lens.h): the parts sum to the
// model's own final logit difference and the last layer's lens equals it, on the demo model
// (Gemma RMS norm) and the LLaVA fixture (Llama RMS norm); `loupe analyze lens` writes its tables.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "core/model/caption.h"
#include "core/model/inputs.h"
#include "core/study/logit_lens.h"
#include "core/text/prompt.h"
#include "fixture_case.h"
#include "support/temp_dir.h"

using namespace loupe;
namespace fs = std::filesystem;

namespace {

void check_parts_sum(const study::LensReading& reading, size_t layers, size_t heads) {
  REQUIRE(reading.lens.size() == layers);
  REQUIRE(reading.attn.size() == layers);
  REQUIRE(reading.mlp.size() == layers);
  REQUIRE(reading.heads.size() == layers);
  double parts = reading.embed;
  for (size_t l = 0; l < layers; ++l) parts += reading.attn[l] + reading.mlp[l];
  const double scale = std::max(1.0, std::abs(reading.final_difference));
  for (size_t l = 0; l < layers; ++l) {  // a layer's heads sum to its attention part
    REQUIRE(reading.heads[l].size() == heads);
    double sum = 0;
    for (double head : reading.heads[l]) sum += head;
    CHECK(std::abs(sum - reading.attn[l]) <= 1e-4 * std::max(1.0, std::abs(reading.attn[l])));
  }
  CHECK(std::abs(parts - reading.final_difference) <= 1e-4 * scale);
  CHECK(std::abs(reading.lens.back() - reading.final_difference) <= 1e-4 * scale);
}

}  // namespace

TEST_CASE("direct logit attribution sums to the final gender logit difference on the demo model", "[study][lens][model]") {
  const auto vlm = model::load_vlm(test::kDemoModel);
  const auto tokenizer = model::model_tokenizer(test::kDemoModel);
  const std::string kitchen = std::string(LOUPE_SOURCE_DIR) + "/assets/demo/images/kitchen.png";
  const auto entries = study::logit_lens(*vlm, *tokenizer, {{kitchen, 0}}, {Language::English, Language::Arabic}, 24);
  REQUIRE(entries.size() == 2);
  for (const auto& entry : entries) {
    INFO(entry.caption);
    CHECK(entry.female_word == (entry.lang == Language::English ? "\xE2\x96\x81woman" : "امرأة"));
    CHECK(entry.reading.final_difference > 0);  // the caption says "woman"
    check_parts_sum(entry.reading, size_t(vlm->config.text.layers), size_t(vlm->config.text.heads));
  }
  const util::Table lens = study::lens_table(entries, {Language::English}, vlm->config.text.layers);
  REQUIRE(lens.row_count() == size_t(vlm->config.text.layers) + 1);
  CHECK(std::get<std::string>(lens.cell(lens.row_count() - 1, 0)) == "final");
  CHECK(std::get<double>(lens.cell(lens.row_count() - 1, lens.column_index("female_share"))) == 1.0);
}

TEST_CASE("direct logit attribution sums to the final logit difference with a Llama RMS norm", "[study][lens][model]") {
  const test::ReferenceCase reference = test::reference_case("llava-tiny");
  const auto vlm = model::load_vlm(reference.folder);
  std::vector<int64_t> caption;
  for (const auto& id : reference.meta["greedy_new_tokens"]) caption.push_back(id.get<int64_t>());
  REQUIRE(caption.size() >= 2);
  const study::GenderedStep step{1, caption[1], caption[1] == 5 ? 6 : 5};  // any two tokens of the vocabulary
  check_parts_sum(study::read_lens(*vlm, reference.inputs(), caption, step), size_t(vlm->config.text.layers),
                  size_t(vlm->config.text.heads));
}

TEST_CASE("loupe analyze lens writes the lens, attribution and entry tables of a split", "[cli][lens]") {
  test::TempDir dir("loupe-lens");
  const fs::path root = dir.path / "study";
  const std::string images = std::string(LOUPE_SOURCE_DIR) + "/assets/demo/images";
  REQUIRE(test::run_loupe("init --workspace '" + root.string() + "' --dataset '" + images + "'").status == 0);
  const auto run = test::run_loupe("analyze lens --workspace '" + root.string() + "' --split balanced --json");
  INFO(run.err);
  REQUIRE(run.status == 0);
  const auto out = nlohmann::json::parse(run.out);
  const int layers = 4;  // the demo model's
  REQUIRE(out["lens"].size() == size_t(2 * (layers + 1)));
  const int64_t heads = 4;  // the demo model's attention heads
  REQUIRE(out["dla"].size() == size_t(2 * (1 + 2 * layers + layers * heads)));
  CHECK(out["lens"][0]["entries"] == 6);  // the balanced split's 6 images, each caption naming its figure
  for (const char* file : {"lens.csv", "dla.json", "lens_entries.csv"}) CHECK(fs::exists(root / "analyses" / "lens" / file));
  const auto dla = test::run_loupe("analyze dla --workspace '" + root.string() + "' --split balanced --lang en --out d --json");
  INFO(dla.err);
  REQUIRE(dla.status == 0);
  CHECK(nlohmann::json::parse(dla.out).size() == size_t(1 + 2 * layers + layers * heads));  // English only
  CHECK(fs::exists(root / "analyses" / "d" / "dla.csv"));
  const auto bad = test::run_loupe("analyze lens --workspace '" + root.string() + "' --split balanced --lang fr --out no");
  CHECK(bad.status == 1);
  CHECK_FALSE(fs::exists(root / "analyses" / "no"));
}

TEST_CASE("the lens table signs each entry toward the word its caption says", "[study][lens]") {
  study::LensEntry female, male;
  female.stated_female = true;
  female.reading.lens = {-1.0, 2.0};
  female.reading.final_difference = 3.0;
  male.stated_female = false;
  male.reading.lens = {0.5, -4.0};
  male.reading.final_difference = -5.0;
  const util::Table table = study::lens_table({female, male}, {Language::English}, 2);
  REQUIRE(table.row_count() == 3);
  const auto cell = [&](size_t row, const char* column) { return std::get<double>(table.cell(row, table.column_index(column))); };
  CHECK(cell(0, "mean_logit_diff") == Approx(-0.25));
  CHECK(cell(0, "mean_stated_margin") == Approx(-0.75));  // (−1 − 0.5) / 2: neither word wins yet
  CHECK(cell(0, "stated_share") == 0.0);
  CHECK(cell(1, "mean_stated_margin") == Approx(3.0));  // (2 + 4) / 2
  CHECK(cell(1, "stated_share") == 1.0);
  CHECK(cell(2, "female_share") == 0.5);
}
