// SAE files: loupe's SAELens-layout writer and reader round trip, and SAELens 5/6 and Gemma Scope
// folders (tests/fixtures/saelens, written by make_fixtures.py in those exact layouts) load and
// encode as SAELens computes.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/io/safetensors.h"
#include "core/sae/sae_io.h"
#include "core/util/atomic_file.h"
#include "support/temp_dir.h"

using namespace loupe;
using sae::Sae;
using sae::SaeKind;

namespace {

const std::string kFixtures = std::string(LOUPE_FIXTURES) + "/saelens/";

nlohmann::json expected() { return nlohmann::json::parse(util::read_file(kFixtures + "expected.json")); }

torch::Tensor from_json(const nlohmann::json& rows) {
  std::vector<float> values;
  for (const auto& row : rows)
    for (const auto& v : row) values.push_back(v.get<float>());
  return torch::tensor(values).view({int64_t(rows.size()), -1});
}

void check_against_saelens(const std::string& name, const Sae& loaded) {
  const auto cases = expected();
  const torch::Tensor x = from_json(cases["x"]);
  CHECK(torch::allclose(loaded.encode(x), from_json(cases[name]["codes"]), 1e-4, 1e-5));
  CHECK(torch::allclose(loaded.reconstruct(x), from_json(cases[name]["reconstruction"]), 1e-4, 1e-5));
}

Sae random_sae(SaeKind kind) {
  sae::SaeConfig config;
  config.kind = kind;
  config.d_in = 8;
  config.d_sae = 32;
  config.k = kind == SaeKind::TopK ? 4 : 0;
  config.hook_name = "blocks.2.hook_resid_post";
  config.model_name = "demo";
  config.input_scale = 0.37;
  Sae sae = Sae::initialized(config, 5);
  sae.b_enc = torch::randn({32}) * 0.1;
  sae.b_dec = torch::randn({8});
  if (kind == SaeKind::JumpRelu) sae.threshold = torch::rand({32}) * 0.2;
  return sae;
}

}  // namespace

TEST_CASE("an SAE written in the SAELens layout reads back with identical tensors and encodings", "[sae]") {
  for (SaeKind kind : {SaeKind::Relu, SaeKind::TopK, SaeKind::JumpRelu}) {
    INFO(sae::kind_name(kind));
    test::TempDir dir("loupe-sae-io");
    const Sae written = random_sae(kind);
    const torch::Tensor density = torch::rand({32}).log10();
    sae::save_sae(dir.file("sae"), written, density);
    const Sae read = sae::load_sae(dir.file("sae"));
    CHECK(read.config.kind == kind);
    CHECK(read.config.k == written.config.k);
    CHECK(read.config.hook_name == "blocks.2.hook_resid_post");
    CHECK(read.config.input_scale == 0.37);
    CHECK(torch::equal(read.W_enc, written.W_enc));
    CHECK(torch::equal(read.W_dec, written.W_dec));
    CHECK(torch::equal(read.b_enc, written.b_enc));
    CHECK(torch::equal(read.b_dec, written.b_dec));
    if (kind == SaeKind::JumpRelu) CHECK(torch::equal(read.threshold, written.threshold));
    const torch::Tensor x = torch::randn({16, 8});
    CHECK(torch::equal(read.encode(x), written.encode(x)));
    CHECK(torch::equal(sae::load_log10_density(dir.file("sae")), density));
  }
}

TEST_CASE("the written folder holds exactly what SAE.load_from_disk reads", "[sae]") {
  test::TempDir dir("loupe-sae-io");
  sae::save_sae(dir.file("sae"), random_sae(SaeKind::TopK));
  const auto cfg = nlohmann::json::parse(util::read_file(dir.file("sae/cfg.json")));
  CHECK(cfg["architecture"] == "topk");
  CHECK(cfg["activation_fn_str"] == "topk");
  CHECK(cfg["activation_fn_kwargs"]["k"] == 4);
  CHECK(cfg["hook_layer"] == 2);
  CHECK(cfg["normalize_activations"] == "none");
  // Every field SAELens 5's SAEConfig requires (it has no defaults for them).
  for (const char* field : {"d_in", "d_sae", "activation_fn_str", "apply_b_dec_to_input", "finetuning_scaling_factor",
                            "context_size", "model_name", "hook_name", "hook_layer", "hook_head_index", "prepend_bos",
                            "dataset_path", "dataset_trust_remote_code", "normalize_activations", "dtype", "device",
                            "sae_lens_training_version"})
    CHECK(cfg.contains(field));
  // load_state_dict is strict: the weights file holds exactly the SAE's parameters.
  const auto file = io::SafeTensors::open(dir.file("sae/sae_weights.safetensors"));
  CHECK(file.names() == std::vector<std::string>{"W_dec", "W_enc", "b_dec", "b_enc"});
  CHECK(file.at("W_enc").shape == std::vector<int64_t>{8, 32});
  CHECK(file.at("W_dec").shape == std::vector<int64_t>{32, 8});
  CHECK_FALSE(std::filesystem::exists(dir.file("sae/sparsity.safetensors")));
}

TEST_CASE("SAELens 5 and 6 folders and Gemma Scope params load and encode as SAELens does", "[sae]") {
  const Sae topk = sae::load_sae(kFixtures + "topk_v5");
  CHECK(topk.config.kind == SaeKind::TopK);
  CHECK(topk.config.k == 3);
  CHECK(topk.config.hook_name == "blocks.2.hook_resid_post");
  CHECK(topk.config.extra["context_size"] == 1024);  // fields loupe does not use survive
  check_against_saelens("topk_v5", topk);
  CHECK(sae::load_log10_density(kFixtures + "topk_v5").size(0) == 12);

  const Sae standard = sae::load_sae(kFixtures + "standard_v6");
  CHECK(standard.config.kind == SaeKind::Relu);
  CHECK(standard.config.hook_name == "blocks.1.hook_mlp_out");
  CHECK(standard.config.model_name == "gpt2");
  check_against_saelens("standard_v6", standard);

  const Sae jumprelu = sae::load_sae(kFixtures + "jumprelu_v6");
  CHECK(jumprelu.config.kind == SaeKind::JumpRelu);
  check_against_saelens("jumprelu_v6", jumprelu);

  for (const std::string path : {kFixtures + "gemma_scope", kFixtures + "gemma_scope/params.safetensors"}) {
    const Sae gemma = sae::load_sae(path);
    CHECK(gemma.config.kind == SaeKind::JumpRelu);
    CHECK_FALSE(gemma.config.apply_b_dec_to_input);
    CHECK(gemma.config.d_in == 6);
    CHECK(gemma.config.d_sae == 12);
    check_against_saelens("gemma_scope", gemma);
  }
}

TEST_CASE("a loupe SAE written from a SAELens one keeps its fields", "[sae]") {
  test::TempDir dir("loupe-sae-io");
  sae::save_sae(dir.file("copy"), sae::load_sae(kFixtures + "topk_v5"));
  const auto cfg = nlohmann::json::parse(util::read_file(dir.file("copy/cfg.json")));
  CHECK(cfg["context_size"] == 1024);
  CHECK(cfg["dataset_path"] == "monology/pile-uncopyrighted");
  CHECK(cfg["model_from_pretrained_kwargs"]["center_writing_weights"] == false);
  check_against_saelens("topk_v5", sae::load_sae(dir.file("copy")));
}

TEST_CASE("unreadable SAE folders give errors that say what is wrong", "[sae]") {
  test::TempDir dir("loupe-sae-io");
  CHECK_THROWS_AS(sae::load_sae(dir.file("absent")), InputError);
  sae::save_sae(dir.file("sae"), random_sae(SaeKind::Relu));
  auto cfg = nlohmann::json::parse(util::read_file(dir.file("sae/cfg.json")));

  auto rewrite = [&](const nlohmann::json& changed) { util::write_file_atomic(dir.file("sae/cfg.json"), changed.dump()); };
  auto changed = cfg;
  changed["d_sae"] = 31;  // weights are [8, 32]
  rewrite(changed);
  CHECK_THROWS_WITH(sae::load_sae(dir.file("sae")), Catch::Contains("W_enc") && Catch::Contains("[8, 31]"));
  changed = cfg;
  changed["architecture"] = "gated";
  rewrite(changed);
  CHECK_THROWS_WITH(sae::load_sae(dir.file("sae")), Catch::Contains("gated"));
  changed = cfg;
  changed["normalize_activations"] = "expected_average_only_in";
  rewrite(changed);
  CHECK_THROWS_AS(sae::load_sae(dir.file("sae")), FormatError);
  changed = cfg;
  changed["activation_fn_str"] = "topk";
  changed["activation_fn_kwargs"] = nlohmann::json::object();
  rewrite(changed);
  CHECK_THROWS_WITH(sae::load_sae(dir.file("sae")), Catch::Contains("needs k"));
  util::write_file_atomic(dir.file("sae/cfg.json"), "{not json");
  CHECK_THROWS_AS(sae::load_sae(dir.file("sae")), FormatError);
}
