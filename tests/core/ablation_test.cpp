// Ablation (core/study/ablation.h) on the demo model: the gendered word and its counterpart, the
// logit difference against a separate teacher-forced run, an SAE edit that changes nothing, one
// that moves the difference; attention heads zeroed and attention to the image knocked out
// (core/intervene/attention_edits.h); and `loupe ablate` with its files and refusals.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "core/intervene/attention_edits.h"
#include "core/model/caption.h"
#include "core/model/inputs.h"
#include "core/sae/sae_io.h"
#include "core/study/ablation.h"
#include "core/study/gender_tokens.h"
#include "core/text/prompt.h"
#include "core/text/token_type.h"
#include "support/temp_dir.h"

using namespace loupe;
namespace fs = std::filesystem;
using intervene::LatentEdit;

namespace {

using loupe::test::kKitchen;

sae::Sae random_sae(int64_t d_in, uint64_t seed) {
  sae::SaeConfig config;
  config.kind = sae::SaeKind::Relu;
  config.d_in = d_in;
  config.d_sae = 64;
  config.hook_name = "blocks.0.hook_resid_post";
  return sae::Sae::initialized(config, seed);
}

struct DemoModel {
  std::shared_ptr<const model::VlmImpl> vlm = model::load_vlm(test::kDemoModel);
  std::shared_ptr<const text::Tokenizer> tokenizer = model::model_tokenizer(test::kDemoModel);
};

const DemoModel& demo() {
  static const DemoModel model;
  return model;
}

}  // namespace

TEST_CASE("the gendered step of a caption is its first gendered word, with the counterpart token", "[study][ablation]") {
  const auto& tokenizer = *demo().tokenizer;
  const auto ids = tokenizer.encode("a woman is washing the dishes");
  const auto step = study::gendered_step(tokenizer, ids, Language::English);
  REQUIRE(step);
  CHECK(tokenizer.token_text(ids[step->step]) == "\xE2\x96\x81woman");
  CHECK(step->female_id == ids[step->step]);
  CHECK(tokenizer.token_text(step->male_id) == "\xE2\x96\x81man");
  const auto arabic = tokenizer.encode("رجل يغسل الصحون");
  const auto arabic_step = study::gendered_step(tokenizer, arabic, Language::Arabic);
  REQUIRE(arabic_step);
  CHECK(arabic_step->male_id == arabic[arabic_step->step]);
  CHECK_FALSE(study::gendered_step(tokenizer, tokenizer.encode("the dishes in the kitchen"), Language::English));
}

TEST_CASE("an ablation's logit difference matches a separate run, and an edit moves it", "[study][ablation][model]") {
  const auto& [vlm, tokenizer] = demo();
  study::AblationRequest request;
  request.sae = std::make_shared<const sae::Sae>(random_sae(256, 4));
  request.langs = {Language::English};
  request.edits = {{3, LatentEdit::Kind::Set, 0.0, 0.0}};  // weight 0: nothing changes
  const auto unchanged = study::ablate_images(*vlm, *tokenizer, {{kKitchen, 0}}, request);
  REQUIRE(unchanged.size() == 1);
  const study::AblationEntry& entry = unchanged[0];
  CHECK(entry.ablated == entry.baseline);
  REQUIRE(entry.logit_diff_clean);
  CHECK(*entry.logit_diff_ablated == Approx(*entry.logit_diff_clean).margin(1e-4));

  // The clean difference recomputed: a batch-1 forward over the prompt and the baseline caption.
  const torch::Tensor pixels = model::image_pixels(vlm->config, kKitchen);
  const model::VlmInputs prompt = model::caption_prompt(*vlm, *tokenizer, text::caption_question(Language::English), pixels);
  model::Session session;
  const auto caption = model::caption_images(*vlm, *tokenizer, pixels, {Language::English, 24}, session)[0];
  CHECK(caption.text == entry.baseline);
  const auto step = study::gendered_step(*tokenizer, caption.tokens, Language::English);
  REQUIRE(step);
  const torch::Tensor answer = torch::tensor(caption.tokens, torch::kInt64).view({1, -1});
  model::VlmInputs inputs{torch::cat({prompt.input_ids, answer}, 1), pixels,
                          torch::cat({prompt.token_type_ids, torch::full_like(answer, kTextToken)}, 1)};
  model::Session fresh;
  const torch::Tensor logits = vlm->forward(inputs, fresh)[0][prompt.input_ids.size(1) - 1 + int64_t(step->step)];
  const double expected = (logits[step->female_id] - logits[step->male_id]).item<double>();
  CHECK(*entry.logit_diff_clean == Approx(expected).epsilon(1e-4));
  CHECK(*entry.logit_diff_clean > 0);  // the model says "woman"

  // Every latent pushed far from its value at the image tokens moves the difference.
  request.positions = parse_positions("image");
  request.edits.clear();
  for (int64_t latent = 0; latent < 64; ++latent) request.edits.push_back({latent, LatentEdit::Kind::Set, 30.0, 1.0});
  const auto moved = study::ablate_images(*vlm, *tokenizer, {{kKitchen, 0}}, request);
  CHECK(*moved[0].logit_diff_clean == Approx(*entry.logit_diff_clean).margin(1e-4));
  CHECK(std::abs(*moved[0].logit_diff_ablated - *moved[0].logit_diff_clean) > 1e-2);

  const util::Table summary = study::ablation_summary(moved, {Language::English});
  REQUIRE(summary.row_count() == 1);
  CHECK(std::get<int64_t>(summary.cell(0, summary.column_index("measured"))) == 1);
  CHECK(std::get<double>(summary.cell(0, summary.column_index("mean_effect"))) ==
        Approx(*moved[0].logit_diff_ablated - *moved[0].logit_diff_clean));

  request.sae = std::make_shared<const sae::Sae>(random_sae(128, 4));
  CHECK_THROWS_WITH(study::ablate_images(*vlm, *tokenizer, {{kKitchen, 0}}, request), Catch::Contains("128-wide"));
}

TEST_CASE("zeroed heads silence a layer's attention; a knockout at every layer hides the image", "[study][ablation][model]") {
  const auto& [vlm, tokenizer] = demo();
  const int64_t heads = vlm->config.text.heads, layers = vlm->config.text.layers;
  const auto prompt_of = [&](const std::string& image) {
    const torch::Tensor pixels = model::image_pixels(vlm->config, std::string(LOUPE_SOURCE_DIR) + "/assets/demo/images/" + image);
    return model::caption_prompt(*vlm, *tokenizer, text::caption_question(Language::English), pixels);
  };
  const model::VlmInputs kitchen = prompt_of("kitchen.png"), garage = prompt_of("garage.png");
  REQUIRE(kitchen.input_ids.sizes() == garage.input_ids.sizes());

  // Every head of layer 1 zeroed: the layer's attention output is 0 (Gemma's norm after attention
  // maps 0 to 0); one head zeroed changes it, but not to 0.
  std::vector<int64_t> every_head;
  for (int64_t h = 0; h < heads; ++h) every_head.push_back(h);
  const auto attention_out = [&](std::vector<int64_t> zeroed) {
    model::Session session;
    session.hooks.add_operation({model::Site::Z, 1, false}, intervene::head_ablation(std::move(zeroed), torch::Tensor()));
    session.hooks.capture({model::Site::AttnOut, 1, false});
    vlm->forward(kitchen, session);
    return session.hooks.captured({model::Site::AttnOut, 1, false});
  };
  CHECK(attention_out(every_head).abs().max().item<double>() < 1e-6);
  CHECK(attention_out({2}).abs().max().item<double>() > 1e-3);

  // Knocked out at every layer from every non-image query, the text positions no longer depend on
  // the image: two images give the same last-position logits (same shapes, same threads).
  std::vector<int64_t> image_keys;
  const torch::Tensor types = kitchen.token_type_ids.reshape({-1});
  std::vector<int64_t> text_queries;
  for (int64_t p = 0; p < types.size(0); ++p) (types[p].item<int64_t>() == kImageToken ? image_keys : text_queries).push_back(p);
  const auto last_logits = [&](const model::VlmInputs& inputs, bool knockout) {
    model::Session session;
    if (knockout)
      for (int64_t l = 0; l < layers; ++l)
        session.hooks.add_operation({model::Site::AttnScores, l, false},
                                    intervene::attention_knockout(image_keys, {text_queries, {}}));
    return vlm->forward(inputs, session)[0][-1];
  };
  CHECK_FALSE(torch::allclose(last_logits(kitchen, false), last_logits(garage, false)));
  CHECK(torch::allclose(last_logits(kitchen, true), last_logits(garage, true), 1e-5, 1e-5));

  // Through the study: the same requests, checked against the model before any work.
  study::AblationRequest request;
  request.langs = {Language::English};
  request.heads = {{1, 0}, {1, 1}};
  const auto entries = study::ablate_images(*vlm, *tokenizer, {{kKitchen, 0}}, request);
  REQUIRE(entries.size() == 1);
  REQUIRE(entries[0].logit_diff_ablated);
  CHECK(*entries[0].logit_diff_ablated != Approx(*entries[0].logit_diff_clean).margin(1e-6));
  request.heads = {{1, heads}};
  CHECK_THROWS_WITH(study::ablate_images(*vlm, *tokenizer, {{kKitchen, 0}}, request), Catch::Contains("heads a layer"));
  request.heads.clear();
  request.knockout_layers = {layers};
  CHECK_THROWS_WITH(study::ablate_images(*vlm, *tokenizer, {{kKitchen, 0}}, request), Catch::Contains("outside"));
  CHECK_THROWS_WITH(study::parse_heads("2.1,3"), Catch::Contains("'3'"));
  CHECK(study::parse_heads("2.1,0.3").size() == 2);
}

TEST_CASE("loupe ablate writes a split's ablation tables and refuses bad requests", "[cli][ablation]") {
  test::TempDir dir("loupe-ablate");
  const fs::path root = dir.path / "study";
  const std::string images = std::string(LOUPE_SOURCE_DIR) + "/assets/demo/images";
  REQUIRE(test::run_loupe("init --workspace '" + root.string() + "' --dataset '" + images + "'").status == 0);
  sae::save_sae((root / "saes" / "rand").string(), random_sae(256, 9));
  const std::string base = "ablate --workspace '" + root.string() + "' --sae rand ";

  const auto run = test::run_loupe(base + "--latents 0,1,2 --split balanced --limit 2 --lang en --json");
  INFO(run.err);
  REQUIRE(run.status == 0);
  const auto out = nlohmann::json::parse(run.out);
  REQUIRE(out["entries"].size() == 2);
  REQUIRE(out["summary"].size() == 1);
  CHECK(out["summary"][0]["lang"] == "en");
  CHECK(out["summary"][0]["entries"] == 2);
  const fs::path folder = root / "analyses" / "ablate-rand";
  for (const char* file : {"ablation.csv", "ablation.json", "ablation_entries.csv"}) CHECK(fs::exists(folder / file));
  std::ifstream runs(root / "runs.jsonl");
  std::string line, last;
  while (std::getline(runs, line)) last = line;
  CHECK(nlohmann::json::parse(last)["command"] == "ablate");

  const auto refused = [&](const std::string& options, const std::string& part) {
    const auto bad = test::run_loupe(base + options);
    INFO(options << "\n" << bad.err);
    CHECK(bad.status == 1);
    CHECK_THAT(bad.err, Catch::Contains(part));
  };
  refused("--latents 64 --image '" + kKitchen + "'", "outside");
  refused("--latents 1 --how mean --image '" + kKitchen + "'", "loupe analyze features");
  refused("--latents 1 --delta-scale 0.5 --image '" + kKitchen + "'", "--mode residual");
  refused("--latents 1 --how half --image '" + kKitchen + "'", "--how");
  refused("--latents 1,x --image '" + kKitchen + "'", "--latents");
  refused("--latents 1", "--image PATH");
  refused("--latents 1 --positions everywhere --image '" + kKitchen + "'", "positions are all, image");

  // Heads and knockouts: the same tables under their own default names.
  const std::string ws = "ablate --workspace '" + root.string() + "' ";
  const auto heads = test::run_loupe(ws + "--heads 2.1,1.1 --how mean --split balanced --limit 2 --lang ar --json");
  INFO(heads.err);
  REQUIRE(heads.status == 0);
  CHECK(nlohmann::json::parse(heads.out)["summary"][0]["lang"] == "ar");
  CHECK(fs::exists(root / "analyses" / "ablate-heads" / "ablation.csv"));
  const auto knockout = test::run_loupe(ws + "--knockout 1,2 --split balanced --limit 2 --lang en --json");
  INFO(knockout.err);
  REQUIRE(knockout.status == 0);
  CHECK(fs::exists(root / "analyses" / "ablate-knockout" / "ablation_entries.csv"));
  const auto refused_ws = [&](const std::string& options, const std::string& part) {
    const auto bad = test::run_loupe(ws + options + " --image '" + kKitchen + "'");
    INFO(options << "\n" << bad.err);
    CHECK(bad.status == 1);
    CHECK_THAT(bad.err, Catch::Contains(part));
  };
  refused_ws("--heads 2.1 --sae rand --latents 1", "ablate one thing");
  refused_ws("--heads 9.0", "outside the decoder");
  refused_ws("--heads 2", "LAYER.HEAD");
  refused_ws("--knockout 1 --how mean", "--how is for latents and heads");
  refused_ws("--heads 1.1 --latents 3", "belongs to an SAE latent ablation");
}
