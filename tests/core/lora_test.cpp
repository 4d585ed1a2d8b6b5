// LoRA adapters on the bundled demo model: a fresh adapter computes the base model; an adapter
// changes only the runs that carry it; a merged model computes what the adapter computes; PEFT's
// files round-trip with PEFT's key names; bad targets, ranks, folders and base models are refused
// with clear messages; fine-tuning lowers the captioning loss; and `loupe finetune` killed with
// SIGKILL and resumed ends with the uninterrupted run's adapter, bit for bit.
#include <catch2/catch.hpp>
#include <signal.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli_run.h"
#include "core/error.h"
#include "core/io/dataset.h"
#include "core/io/safetensors.h"
#include "core/jobs/runner.h"
#include "core/model/inputs.h"
#include "core/model/lora.h"
#include "core/model/lora_files.h"
#include "core/synth/dataset_writer.h"
#include "core/tensor/convert.h"
#include "core/text/prompt.h"
#include "core/train/caption_examples.h"
#include "core/train/checkpoint.h"
#include "core/train/lora_trainer.h"
#include "core/util/atomic_file.h"
#include "support/temp_dir.h"

using namespace loupe;
namespace fs = std::filesystem;

namespace {

const model::VlmImpl& lora_base() {
  static const auto vlm = model::load_vlm(test::kDemoModel);
  return *vlm;
}

const text::Tokenizer& lora_tokenizer() { return *model::model_tokenizer(test::kDemoModel); }

// 16 synthetic rows (12 train), made once per test process.
const fs::path& lora_dataset() {
  static const test::TempDir dir("loupe-lora-data");
  static const bool made = (synth::write_dataset(dir.path.string(), 16, synth::SynthOptions{}, 5), true);
  (void)made;
  return dir.path;
}

// The English captioning prompt on the kitchen image: logits [1, T, vocab].
torch::Tensor kitchen_logits(const model::VlmImpl& vlm, std::shared_ptr<const model::LoraAdapter> adapter = nullptr) {
  const model::VlmInputs inputs = model::caption_prompt(vlm, lora_tokenizer(), text::caption_question(Language::English),
                                                        model::image_pixels(vlm.config, test::kKitchen));
  model::Session session;
  session.hooks.set_adapter(std::move(adapter));
  torch::NoGradGuard no_grad;
  return vlm.forward(inputs, session);
}

// An adapter on every default target of decoder layers 1 and 3 with random A and B (B nonzero,
// unlike a fresh adapter's), so it changes what the model computes.
std::shared_ptr<model::LoraAdapter> random_adapter(uint64_t seed) {
  model::LoraTargets targets;
  targets.layers = {1, 3};
  const auto modules = model::lora_target_modules(lora_base(), targets);
  model::LoraSettings settings{4, 8, 0};
  torch::manual_seed(int64_t(seed));
  std::vector<torch::Tensor> a, b;
  for (const auto& [name, value] : model::LoraAdapter(lora_base(), modules, settings, seed).parameters())
    (name.find("lora_A") != std::string::npos ? a : b).push_back(0.05 * torch::randn_like(value) + value);
  return std::make_shared<model::LoraAdapter>(lora_base(), modules, settings, a, b);
}

// Largest |x - y| relative to the largest |y|.
double relative_difference(const torch::Tensor& x, const torch::Tensor& y) {
  return ((x - y).abs().max() / y.abs().max()).item<double>();
}

// Mean captioning loss over every example of the training split, with or without an adapter.
double mean_loss(std::shared_ptr<const model::LoraAdapter> adapter) {
  const auto rows = train::rows_in_split(io::load_dataset(lora_dataset().string()), "train", 0);
  const train::CaptionExamples examples(rows, lora_tokenizer(), lora_base().config);
  std::vector<int64_t> all(size_t(examples.size()));
  for (size_t i = 0; i < all.size(); ++i) all[i] = int64_t(i);
  const train::CaptionBatch batch = examples.batch(all);
  model::Session session;
  session.hooks.set_adapter(std::move(adapter));
  torch::NoGradGuard no_grad;
  return train::caption_loss(lora_base().forward(batch.inputs, session), batch.labels).item<double>();
}

train::LoraTrainOptions lora_run(const std::string& out, int64_t steps) {
  train::LoraTrainOptions options;
  options.model_folder = test::kDemoModel;
  options.data_dir = lora_dataset().string();
  options.out_dir = out;
  options.settings = {4, 8, 0.1};
  options.steps = steps;
  options.batch = 8;
  options.lr = 1e-2;
  options.seed = 3;
  options.checkpoint_every = 2;
  return options;
}

std::shared_ptr<const jobs::JobSnapshot> run_lora_job(const train::LoraTrainOptions& options) {
  jobs::JobRunner runner(1);
  const jobs::JobId id = runner.submit("finetune", [&](jobs::JobContext& context) {
    return train::train_lora(lora_base(), lora_tokenizer(), options, context);
  });
  return runner.wait(id);
}

std::string adapter_weights(const fs::path& folder) { return (folder / model::kAdapterWeightsName).string(); }

}  // namespace

TEST_CASE("a fresh adapter computes the base model; an adapter changes only the runs that carry it", "[lora]") {
  const torch::Tensor base = kitchen_logits(lora_base());
  model::LoraTargets every_layer;
  const auto modules = model::lora_target_modules(lora_base(), every_layer);
  CHECK(modules.size() == size_t(7 * lora_base().config.text.layers));
  CHECK(modules.front() == "language_model.model.layers.0.self_attn.q_proj");
  const auto fresh = std::make_shared<model::LoraAdapter>(lora_base(), modules, model::LoraSettings{}, 1);
  CHECK(torch::equal(kitchen_logits(lora_base(), fresh), base));  // B = 0: the update is exactly zero

  const auto adapter = random_adapter(2);
  const torch::Tensor adapted = kitchen_logits(lora_base(), adapter);
  CHECK(relative_difference(adapted, base) > 1e-3);
  CHECK(torch::equal(kitchen_logits(lora_base()), base));  // the shared base weights are untouched

  model::LoraTargets vision;
  vision.modules = {"fc1", "out_proj"};
  vision.vision = true;
  vision.layers = {0};
  CHECK(model::lora_target_modules(lora_base(), vision) ==
        std::vector<std::string>{"vision_tower.encoder.layers.0.self_attn.out_proj", "vision_tower.encoder.layers.0.mlp.fc1"});
}

TEST_CASE("a merged model computes what the base model with its adapter computes", "[lora]") {
  const auto adapter = random_adapter(4);
  test::TempDir dir("loupe-lora-merge");
  const std::string merged_folder = dir.file("merged");
  model::write_merged_model(lora_base(), test::kDemoModel, *adapter, merged_folder);
  for (const char* file : {"config.json", "generation_config.json", "tokenizer.json", "model.safetensors"})
    CHECK(fs::exists(fs::path(merged_folder) / file));
  const auto merged = model::load_vlm(merged_folder);
  const double difference = relative_difference(kitchen_logits(*merged), kitchen_logits(lora_base(), adapter));
  INFO("merged vs adapted: " << difference);
  CHECK(difference < 1e-5);
  CHECK_THAT(test::message_of<InputError>([&] { model::write_merged_model(lora_base(), test::kDemoModel, *adapter, merged_folder); }),
             Catch::Contains("already exists"));
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);  // no half-built folder beside it

  // The adapter, made for the base, is refused on the merged model: it would apply twice.
  model::save_peft_adapter(*adapter, dir.file("adapter"), test::kDemoModel);
  CHECK_THAT(test::message_of<InputError>([&] { model::load_peft_adapter(dir.file("adapter"), *merged, merged_folder); }),
             Catch::Contains("an adapter for another base model"));
}

TEST_CASE("adapters round-trip through PEFT's files with PEFT's names", "[lora]") {
  const auto adapter = random_adapter(6);
  test::TempDir dir("loupe-lora-peft");
  model::save_peft_adapter(*adapter, dir.path.string(), test::kDemoModel);
  std::ifstream config_file(dir.file(model::kAdapterConfigName));
  const nlohmann::json config = nlohmann::json::parse(config_file);
  CHECK(config["peft_type"] == "LORA");
  CHECK(config["r"] == 4);
  CHECK(config["lora_alpha"] == 8.0);
  CHECK(config["bias"] == "none");
  CHECK(config["target_modules"].size() == 14);
  CHECK(config["target_modules"][0] == "model.language_model.layers.1.self_attn.q_proj");
  const auto file = io::SafeTensors::open(adapter_weights(dir.path));
  CHECK(file.names().size() == 28);
  const auto names = file.names();
  CHECK(std::find(names.begin(), names.end(), "base_model.model.model.language_model.layers.3.mlp.down_proj.lora_B.weight") !=
        names.end());

  const auto loaded = model::load_peft_adapter(dir.path.string(), lora_base(), test::kDemoModel);
  CHECK(loaded->modules() == adapter->modules());
  CHECK(loaded->scale() == adapter->scale());
  const auto original = adapter->parameters(), reread = loaded->parameters();
  REQUIRE(original.size() == reread.size());
  for (size_t i = 0; i < original.size(); ++i) {
    CHECK(original[i].first == reread[i].first);
    CHECK(torch::equal(original[i].second, reread[i].second));
  }
}

TEST_CASE("bad LoRA targets, ranks, folders and base models are refused with clear messages", "[lora]") {
  model::LoraTargets typo;
  typo.modules = {"q_prj"};
  CHECK_THAT(test::message_of<InputError>([&] { model::lora_target_modules(lora_base(), typo); }),
             Catch::Contains("no linear layer named 'q_prj'") && Catch::Contains("near matches: q_proj"));
  model::LoraTargets vision_only;
  vision_only.modules = {"fc1"};
  CHECK_THAT(test::message_of<InputError>([&] { model::lora_target_modules(lora_base(), vision_only); }),
             Catch::Contains("'fc1'") && Catch::Contains("add --vision"));  // a vision layer name without --vision
  model::LoraTargets far;
  far.layers = {9};
  CHECK_THAT(test::message_of<InputError>([&] { model::lora_target_modules(lora_base(), far); }),
             Catch::Contains("layer 9 does not exist") && Catch::Contains("4 decoder layers"));
  const auto modules = model::lora_target_modules(lora_base(), model::LoraTargets{});
  CHECK_THAT(test::message_of<InputError>([&] { model::LoraAdapter(lora_base(), modules, {100000, 1, 0}, 1); }),
             Catch::Contains("is larger than") && Catch::Contains("rank at most"));

  test::TempDir dir("loupe-lora-bad");
  CHECK_THAT(test::message_of<InputError>([&] { model::load_peft_adapter(dir.path.string(), lora_base(), test::kDemoModel); }),
             Catch::Contains("is not a LoRA adapter folder") && Catch::Contains("adapter_config.json"));
  model::save_peft_adapter(*random_adapter(8), dir.path.string(), test::kDemoModel);
  const std::string other_base = std::string(LOUPE_FIXTURES) + "/gemma3-tiny";
  CHECK_THAT(test::message_of<InputError>([&] { model::load_peft_adapter(dir.path.string(), lora_base(), other_base); }),
             Catch::Contains("an adapter for another base model"));

  // Weights with a NaN are refused, naming the layer.
  tensor::NamedTensors weights;
  const auto file = io::SafeTensors::open(adapter_weights(dir.path));
  for (const std::string& name : file.names()) weights.emplace_back(name, tensor::view_of(file.at(name)).clone());
  weights.front().second.view(-1)[0] = std::nan("");
  test::TempDir poisoned("loupe-lora-nan");
  fs::copy_file(dir.file(model::kAdapterConfigName), poisoned.file(model::kAdapterConfigName));
  tensor::save(adapter_weights(poisoned.path), weights);
  CHECK_THAT(test::message_of<InputError>([&] { model::load_peft_adapter(poisoned.path.string(), lora_base(), test::kDemoModel); }),
             Catch::Contains("NaN or infinite"));

  std::ifstream config_file(dir.file(model::kAdapterConfigName));
  nlohmann::json config = nlohmann::json::parse(config_file);
  config["use_dora"] = true;
  util::write_file_atomic(dir.file(model::kAdapterConfigName), config.dump());
  CHECK_THAT(test::message_of<InputError>([&] { model::load_peft_adapter(dir.path.string(), lora_base(), test::kDemoModel); }),
             Catch::Contains("DoRA"));
}

TEST_CASE("fine-tuning LoRA adapters lowers the captioning loss and leaves the base frozen", "[lora][train]") {
  test::TempDir out("loupe-lora-train");
  const torch::Tensor embed_before = lora_base().language_model->model->embed_tokens->weight.clone();
  const auto snapshot = run_lora_job(lora_run(out.file("a"), 12));
  INFO(snapshot->error_message);
  REQUIRE(snapshot->state == jobs::JobState::Succeeded);
  const auto summary = snapshot->result.as<train::LoraTrainSummary>();
  CHECK(summary.modules == 28);
  CHECK(summary.trainable_parameters > 0);
  CHECK(torch::equal(lora_base().language_model->model->embed_tokens->weight, embed_before));

  const auto trained = model::load_peft_adapter(out.file("a"), lora_base(), test::kDemoModel);
  const double before = mean_loss(nullptr), after = mean_loss(trained);
  INFO("mean loss " << before << " → " << after);
  CHECK(after < 0.8 * before);
  CHECK(fs::exists(out.file("a/finetune.json")));
  CHECK(fs::exists(fs::path(out.file("a")) / train::kCheckpointName));

  // A second run into the same folder without resume is refused; a resume with other options too.
  const auto again = run_lora_job(lora_run(out.file("a"), 12));
  CHECK_THAT(again->error_message, Catch::Contains("--resume"));
  train::LoraTrainOptions other = lora_run(out.file("a"), 12);
  other.resume = true;
  other.settings.rank = 2;
  CHECK(run_lora_job(other)->state == jobs::JobState::Failed);
}

TEST_CASE("loupe finetune killed with SIGKILL resumes to the uninterrupted run's adapter", "[lora][cli]") {
  test::TempDir dir("loupe-lora-cli");
  const fs::path workspace = dir.path / "ws";
  test::require_loupe_ok("init --workspace " + test::quoted(workspace) + " --model " + test::quoted(test::kDemoModel) +
                         " --dataset " + test::quoted(lora_dataset()));
  const std::vector<std::string> common = {"--workspace", workspace.string(), "--data", lora_dataset().string(), "--steps", "8",
                                           "--batch", "4", "--rank", "2", "--dropout", "0.1", "--checkpoint-every", "2"};
  auto finetune = [&](const std::string& name, const std::string& extra) {
    std::string line = "finetune";
    for (const std::string& word : common) line += " " + test::quoted(word);
    return test::run_loupe(line + " --out " + name + " " + extra);
  };
  const auto whole = finetune("whole", "--json");
  INFO(whole.err);
  REQUIRE(whole.status == 0);
  CHECK(nlohmann::json::parse(whole.out)["steps"] == 8);

  std::vector<std::string> cut_args = {"finetune"};
  cut_args.insert(cut_args.end(), common.begin(), common.end());
  cut_args.insert(cut_args.end(), {"--out", "cut"});
  const pid_t child = test::spawn_loupe(cut_args, dir.file("cut.log"));
  const fs::path checkpoint = workspace / "adapters" / "cut" / train::kCheckpointName;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!fs::exists(checkpoint) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ::kill(child, SIGKILL);
  CHECK(test::wait_status(child) == -1);
  REQUIRE(fs::exists(checkpoint));
  CHECK_FALSE(fs::exists(adapter_weights(workspace / "adapters" / "cut")));

  const auto refused = finetune("cut", "");
  CHECK(refused.status == 1);
  CHECK_THAT(refused.err, Catch::Contains("--resume"));
  const auto resumed = finetune("cut", "--resume");
  INFO(resumed.err);
  REQUIRE(resumed.status == 0);
  CHECK_THAT(resumed.err, Catch::Contains("resuming from"));
  const auto a = io::SafeTensors::open(adapter_weights(workspace / "adapters" / "whole"));
  const auto b = io::SafeTensors::open(adapter_weights(workspace / "adapters" / "cut"));
  REQUIRE(a.names() == b.names());
  for (const std::string& name : a.names()) {
    INFO(name);
    CHECK(torch::equal(tensor::view_of(a.at(name)), tensor::view_of(b.at(name))));
  }

  // The adapter by name on `loupe caption`, and merged into a model that captions the same.
  const std::string adapter = (workspace / "adapters" / "whole").string();
  const auto adapted = test::run_loupe("caption --image " + test::quoted(test::kKitchen) + " --adapter " + test::quoted(adapter));
  INFO(adapted.err);
  REQUIRE(adapted.status == 0);
  const fs::path merged = dir.path / "merged";
  test::require_loupe_ok("merge-lora --adapter " + test::quoted(adapter) + " --out " + test::quoted(merged));
  const auto plain = test::run_loupe("caption --image " + test::quoted(test::kKitchen) + " --model " + test::quoted(merged));
  CHECK(plain.out == adapted.out);
  const auto missing = test::run_loupe("caption --image " + test::quoted(test::kKitchen) + " --adapter " +
                                       test::quoted(dir.path / "no-such-adapter"));
  CHECK(missing.status == 1);
  CHECK_THAT(missing.err, Catch::Contains("is not a LoRA adapter folder"));
}

TEST_CASE("loupe swap-gender writes a dataset loupe finetune trains on; bad input exits non-zero", "[lora][swap][cli]") {
  test::TempDir dir("loupe-lora-swap");
  const fs::path swapped = dir.path / "swapped";
  const auto run = test::run_loupe("swap-gender --dataset " + test::quoted(lora_dataset()) + " --out " + test::quoted(swapped) + " --json");
  INFO(run.err);
  REQUIRE(run.status == 0);
  const nlohmann::json summary = nlohmann::json::parse(run.out);
  const io::Dataset original = io::load_dataset(lora_dataset().string()), counterfactual = io::load_dataset(swapped.string());
  CHECK(summary["rows"] == original.rows.size());
  CHECK(summary["swapped_en"].get<int64_t>() > 0);
  REQUIRE(counterfactual.rows.size() == original.rows.size());
  for (size_t i = 0; i < original.rows.size(); ++i) {
    CHECK(counterfactual.rows[i].image == fs::canonical(original.rows[i].image).string());
    if (original.rows[i].labels.at("caption_gender") != "person") CHECK(counterfactual.rows[i].en_caption != original.rows[i].en_caption);
  }
  CHECK(test::run_loupe("swap-gender --dataset " + test::quoted(lora_dataset()) + " --out " + test::quoted(swapped)).status == 1);

  const fs::path workspace = dir.path / "ws";
  test::require_loupe_ok("init --workspace " + test::quoted(workspace) + " --model " + test::quoted(test::kDemoModel) +
                         " --dataset " + test::quoted(lora_dataset()));
  test::require_loupe_ok("finetune --workspace " + test::quoted(workspace) + " --data " + test::quoted(swapped) +
                         " --steps 2 --batch 4 --rank 2 --out swap");
  CHECK(fs::exists(workspace / "adapters" / "swap" / model::kAdapterConfigName));
  // The adapter by name in `loupe mitigate`: the before/after table of the interventions.
  const auto mitigated = test::run_loupe("mitigate --workspace " + test::quoted(workspace) +
                                         " --split train --limit 2 --max-new-tokens 6 --adapter swap --json");
  INFO(mitigated.err);
  REQUIRE(mitigated.status == 0);
  const nlohmann::json table = nlohmann::json::parse(mitigated.out);
  CHECK(table["adapter"] == (workspace / "adapters" / "swap").string());
  CHECK(table["images"] == 2);
  CHECK(table["en"].contains("intervened"));
  CHECK(test::run_loupe("mitigate --workspace " + test::quoted(workspace) + " --split train").status == 1);  // neither --set nor --adapter
  const auto typo = test::run_loupe("finetune --workspace " + test::quoted(workspace) + " --data " + test::quoted(swapped) +
                                    " --steps 2 --targets q_prj --out typo");
  CHECK(typo.status == 1);
  CHECK_THAT(typo.err, Catch::Contains("near matches: q_proj"));
  CHECK_FALSE(fs::exists(workspace / "adapters" / "typo"));  // nothing written
}
