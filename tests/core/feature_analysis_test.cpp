// The feature analysis (core/analysis) on a hand-made store and SAE, against the issue's
// definitions computed here directly from dense activations; then `loupe analyze features` on a
// demo workspace, and the bad inputs that must write nothing.
#include <catch2/catch.hpp>

#include <torch/torch.h>

#include <cmath>
#include <filesystem>

#include "cli_run.h"
#include "core/analysis/feature_analysis.h"
#include "core/analysis/feature_report.h"
#include "core/analysis/feature_summary.h"
#include "core/analysis/latent_geometry.h"
#include "core/analysis/statistics.h"
#include "core/error.h"
#include "core/jobs/runner.h"
#include "core/store/store_reader.h"
#include "core/store/store_writer.h"
#include "core/util/atomic_file.h"
#include "support/temp_dir.h"

using namespace loupe;
namespace fs = std::filesystem;
using Catch::Detail::Approx;
using loupe::test::message_of;
using loupe::test::run_loupe;
using loupe::test::TempDir;

namespace {

constexpr int64_t kRows = 8, kPerEntry = 2, kWidth = 3, kLatents = 4;
const std::string kHook = "blocks.0.hook_resid_post";

// Entry e = (row e / 2, language e % 2); its vectors are X[2e], X[2e + 1]. Even rows show a woman.
torch::Tensor store_vectors() {
  torch::manual_seed(11);
  return torch::rand({kRows * 2 * kPerEntry, kWidth}) * 2 - 1;  // [32, 3]
}

sae::Sae test_sae() {
  sae::Sae s;
  s.config.kind = sae::SaeKind::Relu;
  s.config.d_in = kWidth;
  s.config.d_sae = kLatents;
  s.config.apply_b_dec_to_input = false;
  s.config.hook_name = kHook;
  s.W_enc = torch::tensor({{1.0f, 0.0f, 0.5f, -1.0f}, {0.0f, 1.0f, 0.5f, 0.0f}, {0.0f, 0.0f, -1.0f, 0.2f}});  // [3, 4]
  s.b_enc = torch::tensor({0.0f, -0.2f, 0.0f, 0.1f});
  s.W_dec = torch::tensor({{1.0f, 0.0f, 0.0f}, {0.9f, 0.1f, 0.0f}, {0.0f, 0.0f, 1.0f}, {0.0f, 1.0f, 0.0f}});  // [4, 3]
  s.b_dec = torch::zeros({kWidth});
  return s;
}

fs::path write_store(const fs::path& folder, bool both_languages) {
  const torch::Tensor x = store_vectors();
  store::StoreSpec spec;
  spec.model = "/models/test";
  spec.dataset = "/data/test";
  spec.hooks = {kHook};
  spec.widths = {kWidth};
  spec.dtype = "f32";
  spec.positions = "text";
  spec.source = "caption";
  spec.langs = both_languages ? std::vector<std::string>{"en", "ar"} : std::vector<std::string>{"en"};
  spec.units_total = kRows * (both_languages ? 2 : 1);
  store::StoreWriter writer = store::StoreWriter::create(folder, spec, 1000);
  for (int64_t e = 0; e < kRows * 2; ++e) {
    const bool arabic = e % 2 == 1;
    if (arabic && !both_languages) continue;
    const int64_t row = e / 2;
    const bool woman = row % 2 == 0;
    store::UnitVectors unit;
    unit.meta = {{"row", row},
                 {"image", "img" + std::to_string(row) + ".png"},
                 {"lang", arabic ? "ar" : "en"},
                 {"labels", {{"gender", woman ? "woman" : "man"}, {"split", row < 6 ? "train" : "balanced"}}},
                 {"reference_caption", woman ? "a woman" : "a man"},
                 {"gender", {{"label", woman ? "woman" : "man"}, {"reference", woman ? "female" : "male"}}},
                 {"ids", {1, 2, 3}},
                 {"tokens", {"<bos>", "a", "woman"}},
                 {"positions", {1, 2}}};
    unit.per_hook = {x.narrow(0, e * kPerEntry, kPerEntry).clone()};
    unit.positions = {1, 2};
    unit.types = {kTextToken, kTextToken};
    writer.add(std::move(unit));
  }
  writer.finish();
  return folder;
}

analysis::FeatureAnalysis analyze(const store::StoreReader& store, const analysis::FeatureAnalysisRequest& request) {
  analysis::FeatureAnalysis result;
  jobs::JobRunner runner(1);
  const jobs::JobId id = runner.submit("analysis", [&](jobs::JobContext& job) {
    result = analysis::analyze_features(store, test_sae(), request, job);
    return nlohmann::json{};
  });
  runner.wait(id);
  const auto snapshot = runner.snapshot(id);
  if (snapshot->state != jobs::JobState::Succeeded) throw InputError(snapshot->error_message);
  return result;
}

analysis::FeatureAnalysisRequest request_for(analysis::GenderGrouping grouping) {
  analysis::FeatureAnalysisRequest request;
  request.hook = kHook;
  request.grouping = grouping;
  request.neighbours = 2;
  return request;
}

// Pearson r of two equally long value lists, written out.
double direct_pearson(const std::vector<double>& x, const std::vector<double>& y) {
  double mx = 0, my = 0;
  for (size_t i = 0; i < x.size(); ++i) mx += x[i] / double(x.size()), my += y[i] / double(y.size());
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

double mean_of(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  return sum / double(values.size());
}

double variance_of(const std::vector<double>& values) {
  const double m = mean_of(values);
  double sum = 0;
  for (double v : values) sum += (v - m) * (v - m);
  return sum / double(values.size() - 1);
}

}  // namespace

TEST_CASE("feature statistics follow their definitions on a hand-made store", "[analysis][features]") {
  TempDir dir;
  const store::StoreReader store = store::StoreReader::open(write_store(dir.path / "acts", true));
  const analysis::FeatureAnalysis result = analyze(store, request_for(analysis::GenderGrouping::Figure));
  const torch::Tensor acts = torch::relu(store_vectors().matmul(test_sae().W_enc) + test_sae().b_enc);  // [32, 4]
  REQUIRE(result.vectors == 32);
  CHECK(result.vectors_by_language == std::array<int64_t, 2>{16, 16});
  CHECK(result.female_entries == std::array<int64_t, 3>{4, 4, 8});
  CHECK(result.paired_rows == kRows);
  REQUIRE(result.latents.size() == size_t(kLatents));

  for (int64_t j = 0; j < kLatents; ++j) {
    INFO("latent " << j);
    const analysis::LatentStats& stats = result.latents[size_t(j)];
    const torch::Tensor column = acts.select(1, j);  // [32]
    const int64_t active = (column > 0).sum().item<int64_t>();
    CHECK(stats.active == active);
    if (active > 0) {
      CHECK(stats.mean_activation == Approx(column.sum().item<double>() / double(active)));
      CHECK(stats.max_activation == Approx(column.max().item<double>()));
      CHECK(stats.top.front().vector == column.argmax().item<int64_t>());
      int64_t histogram = 0;
      for (int64_t count : stats.histogram) histogram += count;
      CHECK(histogram == active);
    }
    // Entry values: the mean over an entry's two vectors. Languages alternate entry by entry.
    const torch::Tensor entry_values = column.view({kRows * 2, kPerEntry}).to(torch::kDouble).mean(1);  // [16]
    std::vector<double> values[2], female[2], male[2];
    for (int64_t e = 0; e < kRows * 2; ++e) {
      const size_t l = size_t(e % 2);
      values[l].push_back(entry_values[e].item<double>());
      ((e / 2) % 2 == 0 ? female : male)[l].push_back(values[l].back());
    }
    for (size_t l = 0; l < 2; ++l) {
      REQUIRE(stats.gender[l].has_value());
      const double pooled = std::sqrt((3 * variance_of(female[l]) + 3 * variance_of(male[l])) / 6);
      const double d = pooled > 0 ? (mean_of(female[l]) - mean_of(male[l])) / pooled : 0.0;
      CHECK(stats.gender[l]->cohens_d == Approx(d).margin(1e-9));
      CHECK(stats.gender[l]->p >= 0.0);
      CHECK(stats.gender[l]->p <= 1.0);
      CHECK(stats.gender[l]->q >= stats.gender[l]->p);
    }
    const double sx = variance_of(values[0]), sy = variance_of(values[1]);
    if (sx > 0 && sy > 0) {
      REQUIRE(stats.alignment_r.has_value());
      CHECK(*stats.alignment_r == Approx(direct_pearson(values[0], values[1])));
    } else {
      CHECK_FALSE(stats.alignment_r.has_value());
    }
    // The most co-activating latent: its share of this latent's active vectors, counted densely.
    if (!stats.coactive.empty()) {
      const int64_t other = stats.coactive.front().first;
      const double both = ((column > 0) & (acts.select(1, other) > 0)).sum().item<double>();
      CHECK(stats.coactive.front().second == Approx(both / double(active)));
    }
  }
  // Decoder neighbours: latent 0's nearest is latent 1 (cosine 0.9 / sqrt(0.82)).
  REQUIRE(result.latents[0].neighbours.size() == 2);
  CHECK(result.latents[0].neighbours[0].first == 1);
  CHECK(result.latents[0].neighbours[0].second == Approx(0.9 / std::sqrt(0.82)));

  // The table and the summary carry the same numbers.
  const util::Table table = analysis::latent_table(result);
  CHECK(table.row_count() == size_t(kLatents));
  const auto csv = table.csv();
  CHECK(csv.rfind("latent,frequency,frequency_en,frequency_ar,", 0) == 0);
  CHECK(csv.find("cohens_d_en,p_en,q_en,cohens_d_ar,p_ar,q_ar,") != std::string::npos);
  CHECK(csv.find("alignment_r") != std::string::npos);
  const analysis::FeatureSummary summary = analysis::summarize(result);
  CHECK(summary.latents == kLatents);
  const auto json = analysis::summary_json(result, summary);
  CHECK(json["counts"]["vectors"] == 32);
  CHECK(json["alignment"]["computed"] == true);
}

TEST_CASE("per-language L0, dead latents, mean activation, code rank and aligned similarity follow their definitions",
          "[analysis][features][summary]") {
  TempDir dir;
  const store::StoreReader store = store::StoreReader::open(write_store(dir.path / "acts", true));
  analysis::FeatureAnalysisRequest request = request_for(analysis::GenderGrouping::Figure);
  request.code_rank = true;
  const analysis::FeatureAnalysis result = analyze(store, request);
  const analysis::FeatureSummary summary = analysis::summarize(result);
  const torch::Tensor acts = torch::relu(store_vectors().matmul(test_sae().W_enc) + test_sae().b_enc);  // [32, 4]
  // Vector v belongs to entry v / 2, whose language is (v / 2) % 2.
  const torch::Tensor by_language = acts.view({kRows, 2, kPerEntry, kLatents}).transpose(0, 1).reshape({2, -1, kLatents});
  for (int64_t l = 0; l < 2; ++l) {
    INFO("language " << l);
    const torch::Tensor mine = by_language[l];  // [16, 4]
    const torch::Tensor active = mine > 0;
    REQUIRE(summary.l0[size_t(l)].has_value());
    CHECK(*summary.l0[size_t(l)] == Approx(active.sum().item<double>() / 16.0));
    CHECK(*summary.dead_by_language[size_t(l)] == (active.sum(0) == 0).sum().item<int64_t>());
    CHECK(*summary.mean_activation[size_t(l)] == Approx(mine.sum().item<double>() / active.sum().item<double>()));
    const torch::Tensor entries = mine.view({kRows, kPerEntry, kLatents}).mean(1);  // [8, 4]
    const analysis::RankFigures expected = analysis::effective_rank(entries);
    REQUIRE(result.code_rank[size_t(l)].has_value());
    CHECK(result.code_rank[size_t(l)]->vectors == kRows);
    CHECK(result.code_rank[size_t(l)]->components_95 == expected.components_95);
    CHECK(result.code_rank[size_t(l)]->information_content == Approx(expected.information_content));
  }
  double aligned_r = 0;
  int64_t aligned = 0;
  for (const auto& latent : result.latents)
    if (latent.alignment_r && *latent.alignment_r >= 0.5) aligned_r += *latent.alignment_r, ++aligned;
  CHECK(summary.aligned == aligned);
  if (aligned > 0) CHECK(*summary.aligned_similarity == Approx(aligned_r / double(aligned)));
  else CHECK_FALSE(summary.aligned_similarity.has_value());
  // Without the request, no rank is computed.
  CHECK_FALSE(analyze(store, request_for(analysis::GenderGrouping::Figure)).code_rank[0].has_value());
}

TEST_CASE("the grouping and the split choose the entries", "[analysis][features]") {
  TempDir dir;
  const store::StoreReader store = store::StoreReader::open(write_store(dir.path / "acts", true));
  // The reference captions state the figure's gender: both groupings give the same effect sizes.
  const auto by_figure = analyze(store, request_for(analysis::GenderGrouping::Figure));
  const auto by_caption = analyze(store, request_for(analysis::GenderGrouping::Caption));
  for (int64_t j = 0; j < kLatents; ++j)
    CHECK(by_figure.latents[size_t(j)].gender[0]->cohens_d == by_caption.latents[size_t(j)].gender[0]->cohens_d);
  auto request = request_for(analysis::GenderGrouping::Figure);
  request.split = "train";  // rows 0..5
  CHECK(analyze(store, request).vectors == 24);
  request.split = "dev";
  CHECK_THAT(message_of<InputError>([&] { analyze(store, request); }), Catch::Contains("its splits: balanced, train"));
  request.split = "balanced";  // rows 6, 7: one woman and one man per language
  CHECK_THAT(message_of<InputError>([&] { analyze(store, request); }), Catch::Contains("needs at least 2 in each group"));
}

TEST_CASE("bad feature-analysis input is refused before any work", "[analysis][features]") {
  TempDir dir;
  const store::StoreReader english = store::StoreReader::open(write_store(dir.path / "en", false));
  auto request = request_for(analysis::GenderGrouping::Figure);
  const auto result = analyze(english, request);  // one language: no alignment, no error
  CHECK_FALSE(result.alignment);
  CHECK_FALSE(result.latents[0].alignment_r.has_value());
  CHECK_FALSE(result.latents[0].gender[1].has_value());
  request.align_threshold = 0.5;
  CHECK_THAT(message_of<InputError>([&] { analyze(english, request); }), Catch::Contains("cross-lingual alignment"));
  request = request_for(analysis::GenderGrouping::Figure);
  request.hook = "blocks.1.hook_resid_post";
  CHECK_THAT(message_of<InputError>([&] { analyze(english, request); }), Catch::Contains("has no hook blocks.1.hook_resid_post"));
}

TEST_CASE("logit effects rank the tokens a decoder row raises, per script", "[analysis][features]") {
  const torch::Tensor W_dec = torch::tensor({{1.0f, 0.0f}, {0.0f, -1.0f}});  // [2, 2]
  const torch::Tensor W_U = torch::tensor({{3.0f, 0.0f}, {2.0f, 1.0f}, {-1.0f, 2.0f}, {0.5f, -3.0f}});  // [4, 2]
  const auto effects = analysis::logit_effects(W_dec, W_U, 2, {false, true, true, false}, {true, false, false, true});
  REQUIRE(effects.size() == 2);
  CHECK(effects[0].top[0].token == 0);  // effect 3
  CHECK(effects[0].top[1].token == 1);
  CHECK(effects[0].bottom[0].token == 2);  // effect -1
  CHECK(effects[0].bottom[0].effect == Approx(-1.0));
  CHECK(effects[0].top_arabic[0].token == 1);
  CHECK(effects[1].top[0].token == 3);  // −(−3)
  CHECK(effects[1].top_latin[0].token == 3);
  CHECK(effects[1].top_arabic[0].token == 1);  // −1 beats −2
}
