// Bad SAE files (a hand-edited cfg.json, weights with NaN or of an integer dtype, a damaged training
// checkpoint) give a typed loupe error that names the file and the field, never a JSON library or
// c10 exception, and never an SAE that runs on bad weights.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <filesystem>
#include <functional>
#include <limits>

#include "core/error.h"
#include "core/io/safetensors.h"
#include "core/jobs/runner.h"
#include "core/sae/sae_checkpoint.h"
#include "core/sae/sae_io.h"
#include "core/sae/sae_trainer.h"
#include "core/tensor/convert.h"
#include "core/util/atomic_file.h"
#include "support/temp_dir.h"

using namespace loupe;
using sae::SaeKind;
using test::message_of;

namespace {

// A TopK SAE 16 → 64, k 4, saved under `folder`.
void save_topk(const std::string& folder) {
  sae::SaeConfig config;
  config.kind = SaeKind::TopK;
  config.d_in = 16;
  config.d_sae = 64;
  config.k = 4;
  config.hook_name = "blocks.1.hook_resid_post";
  sae::save_sae(folder, sae::Sae::initialized(config, 3));
}

// Rewrites the safetensors file at `path` after `edit` changed its tensors or metadata.
void rewrite_safetensors(const std::string& path,
                         const std::function<void(tensor::NamedTensors&, std::map<std::string, std::string>&)>& edit) {
  tensor::NamedTensors tensors;
  std::map<std::string, std::string> metadata;
  {
    const io::SafeTensors file = io::SafeTensors::open(path);
    for (const std::string& name : file.names()) tensors.emplace_back(name, tensor::view_of(file.at(name)).clone());
    metadata = file.metadata();
  }
  edit(tensors, metadata);
  tensor::save(path, tensors, metadata);
}

void replace_tensor(tensor::NamedTensors& tensors, const std::string& name, const torch::Tensor& value) {
  for (auto& [key, tensor] : tensors)
    if (key == name) tensor = value;
}

}  // namespace

TEST_CASE("cfg.json fields of the wrong type or size are FormatErrors naming the file and the field", "[sae]") {
  test::TempDir dir("loupe-sae-files");
  const std::string folder = dir.file("sae"), cfg_path = dir.file("sae/cfg.json");
  save_topk(folder);
  const auto cfg = nlohmann::json::parse(util::read_file(cfg_path));
  struct Case {
    const char* field;
    std::function<void(nlohmann::json&)> edit;
  };
  const std::vector<Case> cases{
      {"k", [](nlohmann::json& c) { c["activation_fn_kwargs"]["k"] = "4"; }},
      {"activation_fn_kwargs", [](nlohmann::json& c) { c["activation_fn_kwargs"] = 4; }},
      {"k", [](nlohmann::json& c) { c["activation_fn_kwargs"]["k"] = 65; }},  // above d_sae
      {"d_in", [](nlohmann::json& c) { c["d_in"] = "16"; }},
      {"d_sae", [](nlohmann::json& c) { c["d_sae"] = 1000000000000LL; }},
      {"d_in", [](nlohmann::json& c) { c["d_in"] = -16; }},
      {"apply_b_dec_to_input", [](nlohmann::json& c) { c["apply_b_dec_to_input"] = "yes"; }},
      {"hook_name", [](nlohmann::json& c) { c["hook_name"] = 5; }},
      {"architecture", [](nlohmann::json& c) { c["architecture"] = nlohmann::json::array({"topk"}); }},
      {"dtype", [](nlohmann::json& c) { c["dtype"] = "int32"; }},
      {"input_scale", [](nlohmann::json& c) { c["loupe"]["input_scale"] = "x"; }},
      {"loupe_positions", [](nlohmann::json& c) { c["loupe_positions"] = 3; }},
      {"metadata", [](nlohmann::json& c) { c["metadata"] = "gemma"; }},
  };
  for (const Case& bad : cases) {
    nlohmann::json changed = cfg;
    bad.edit(changed);
    util::write_file_atomic(cfg_path, changed.dump());
    const std::string message = message_of<FormatError>([&] { sae::load_sae(folder); });
    INFO(changed.dump());
    CHECK_THAT(message, Catch::Contains(cfg_path) && Catch::Contains(bad.field));
  }
  util::write_file_atomic(cfg_path, "{\"d_in\": 16,");
  CHECK_THAT(message_of<FormatError>([&] { sae::load_sae(folder); }),
             Catch::Contains(cfg_path) && Catch::Contains("malformed JSON"));
  util::write_file_atomic(cfg_path, "{\"extra\": " + std::string(100000, '[') + std::string(100000, ']') + "}");
  CHECK_THAT(message_of<FormatError>([&] { sae::load_sae(folder); }),
             Catch::Contains(cfg_path) && Catch::Contains("nested deeper"));
}

TEST_CASE("SAE weights that are not finite or not floating point are refused, naming the file and tensor", "[sae]") {
  test::TempDir dir("loupe-sae-files");
  const std::string folder = dir.file("sae"), weights = dir.file("sae/sae_weights.safetensors");
  save_topk(folder);
  rewrite_safetensors(weights, [](tensor::NamedTensors& tensors, auto&) {
    torch::Tensor W_enc = torch::zeros({16, 64});
    W_enc[3][7] = std::numeric_limits<float>::quiet_NaN();
    replace_tensor(tensors, "W_enc", W_enc);
  });
  CHECK_THAT(message_of<FormatError>([&] { sae::load_sae(folder); }),
             Catch::Contains(weights) && Catch::Contains("W_enc") && Catch::Contains("NaN"));

  save_topk(folder);
  rewrite_safetensors(weights, [](tensor::NamedTensors& tensors, auto&) {
    replace_tensor(tensors, "b_dec", torch::zeros({16}, torch::kInt32));
  });
  CHECK_THAT(message_of<FormatError>([&] { sae::load_sae(folder); }),
             Catch::Contains(weights) && Catch::Contains("b_dec") && Catch::Contains("I32"));
}

TEST_CASE("a damaged SAE training checkpoint is a FormatError naming the file and the field", "[sae][train]") {
  test::TempDir dir("loupe-sae-files");
  torch::manual_seed(4);
  const torch::Tensor data = torch::randn({512, 16}) + 0.3;  // [512, 16]
  const auto batches = sae::tensor_batches(data, 64);
  const auto held_out = sae::tensor_held_out(torch::randn({64, 16}) + 0.3);
  sae::SaeTrainOptions options;
  options.sae.kind = SaeKind::TopK;
  options.sae.d_in = 16;
  options.sae.d_sae = 64;
  options.sae.k = 4;
  options.out_dir = dir.file("run");
  options.steps = 6;
  options.batch = 64;
  options.checkpoint_every = 3;
  options.dead_tokens = 640;
  auto train = [&](const sae::SaeTrainOptions& o) {
    jobs::JobRunner runner(1);
    const jobs::JobId id = runner.submit("train-sae", [&](jobs::JobContext& context) {
      return sae::train_sae(o, batches, held_out, context);
    });
    return runner.wait(id);
  };
  REQUIRE(train(options)->state == jobs::JobState::Succeeded);
  const std::string checkpoint = dir.file("run/checkpoint.safetensors");
  const std::string copy = dir.file("good.safetensors");
  std::filesystem::copy_file(checkpoint, copy);
  options.resume = true;

  using Edit = std::function<void(tensor::NamedTensors&, std::map<std::string, std::string>&)>;
  auto state_with = [](const char* key, const nlohmann::json& value) -> Edit {
    return [=](tensor::NamedTensors&, std::map<std::string, std::string>& metadata) {
      auto state = nlohmann::json::parse(metadata["loupe_sae_state"]);
      state[key] = value;
      metadata["loupe_sae_state"] = state.dump();
    };
  };
  struct Case {
    std::string names;  // what the message must name beside the file
    Edit edit;
  };
  const std::vector<Case> cases{
      {"step", state_with("step", 1000000000000LL)},
      {"step", state_with("step", "3")},
      {"input_scale", state_with("input_scale", -1.0)},
      {"window_mse", state_with("window_mse", nullptr)},
      {"loupe_sae_state", [](auto&, auto& metadata) { metadata["loupe_sae_state"] = "{\"step\": 6,"; }},
      {"loupe_sae_options", [](auto&, auto& metadata) { metadata["loupe_sae_options"] = "[1, 2]"; }},
      {"sae.W_enc", [](tensor::NamedTensors& tensors, auto&) {
         replace_tensor(tensors, "sae.W_enc", torch::full({16, 64}, std::numeric_limits<float>::quiet_NaN()));
       }},
      {"adam.exp_avg_sq.W_dec", [](tensor::NamedTensors& tensors, auto&) {
         replace_tensor(tensors, "adam.exp_avg_sq.W_dec", -torch::ones({64, 16}));
       }},
      {"tokens_since_fired", [](tensor::NamedTensors& tensors, auto&) {
         replace_tensor(tensors, "tokens_since_fired", torch::zeros({64}, torch::kFloat32));
       }},
  };
  for (const Case& bad : cases) {
    INFO(bad.names);
    std::filesystem::copy_file(copy, checkpoint, std::filesystem::copy_options::overwrite_existing);
    rewrite_safetensors(checkpoint, bad.edit);
    const auto refused = train(options);
    REQUIRE(refused->state == jobs::JobState::Failed);
    CHECK(refused->error_kind == "FormatError");
    CHECK_THAT(refused->error_message, Catch::Contains(checkpoint) && Catch::Contains(bad.names));
  }
}

TEST_CASE("SAE training refuses non-finite coefficients and stops when it diverges", "[sae][train]") {
  test::TempDir dir("loupe-sae-files");
  sae::SaeTrainOptions options;
  options.sae.kind = SaeKind::Relu;
  options.sae.d_in = 16;
  options.sae.d_sae = 64;
  options.out_dir = dir.file("run");
  options.steps = 20;
  options.batch = 64;
  options.objective.l1 = std::numeric_limits<double>::infinity();
  CHECK_THAT(message_of<InputError>([&] { sae::validate(options); }), Catch::Contains("--l1"));
  options.objective.l1 = 1.0;
  options.sae.d_sae = int64_t(1) << 40;
  CHECK_THAT(message_of<InputError>([&] { sae::validate(options); }), Catch::Contains("d_sae"));
  options.sae.d_sae = 64;

  options.lr = 1e30;  // every weight jumps by about 1e30 in the first step
  torch::manual_seed(4);
  const torch::Tensor data = torch::randn({512, 16});
  jobs::JobRunner runner(1);
  const jobs::JobId id = runner.submit("train-sae", [&](jobs::JobContext& context) {
    return sae::train_sae(options, sae::tensor_batches(data, 64), sae::tensor_held_out(data.slice(0, 0, 64)), context);
  });
  const auto diverged = runner.wait(id);
  REQUIRE(diverged->state == jobs::JobState::Failed);
  CHECK_THAT(diverged->error_message, Catch::Contains("diverged") && Catch::Contains("--lr"));
  CHECK_FALSE(std::filesystem::exists(dir.file("run/sae_weights.safetensors")));
  CHECK_FALSE(std::filesystem::exists(dir.file("run/checkpoint.safetensors")));
}
