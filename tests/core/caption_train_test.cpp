// Training the demo captioner: a few steps lower the loss, an interrupted run resumed from its
// checkpoint ends with the same weights as an uninterrupted one, the output folder loads and
// captions through the inference code, and bad options fail with clear messages.
#include <catch2/catch.hpp>

#include <cctype>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "core/jobs/runner.h"
#include "core/jobs/standalone_job.h"
#include "core/model/inputs.h"
#include "core/model/vlm.h"
#include "core/synth/dataset_writer.h"
#include "core/tensor/convert.h"
#include "core/train/caption_examples.h"
#include "core/train/caption_trainer.h"
#include "core/train/parameter_init.h"
#include "core/train/split_evaluation.h"
#include "core/train/vision_pretraining.h"
#include "core/util/atomic_file.h"
#include "core/cli_run.h"
#include "support/temp_dir.h"

using namespace loupe;

namespace {

// 40 samples: 32 train rows, 4 balanced, 4 counter-stereotypical.
struct SynthData {
  test::TempDir dir{"loupe-train-data"};
  SynthData() { synth::write_dataset(dir.path.string(), 40, synth::SynthOptions{}, 2); }
};

const SynthData& synth_data() {
  static const SynthData data;
  return data;
}

// A much smaller Gemma 3 than the demo's, so a test trains in seconds.
train::CaptionTrainOptions small_run(const std::string& out, int64_t steps) {
  train::CaptionTrainOptions options;
  options.data_dir = synth_data().dir.path.string();
  options.out_dir = out;
  options.steps = steps;
  options.batch = 8;
  options.lr = 3e-3;
  options.seed = 7;
  options.log_every = 1000;
  options.checkpoint_every = 3;
  options.vision.steps = 4;
  options.vision.batch = 8;
  auto& a = options.architecture;
  a.image_size = 64;
  a.image_tokens = 4;
  a.vision_hidden = 32, a.vision_intermediate = 64, a.vision_layers = 1, a.vision_heads = 2;
  a.text_hidden = 64, a.text_intermediate = 128, a.text_layers = 2, a.text_heads = 2, a.text_kv_heads = 1;
  a.head_dim = 32, a.sliding_pattern = 2;
  return options;
}

// Runs the training job to its end; returns its final snapshot.
std::shared_ptr<const jobs::JobSnapshot> run_job(const train::CaptionTrainOptions& options) {
  jobs::JobRunner runner(1);
  const jobs::JobId id = runner.submit("train", [&](jobs::JobContext& context) { return train::train_captioner(options, context); });
  return runner.wait(id);
}

torch::Tensor stored(const std::string& folder, const std::string& name) {
  return tensor::load(folder + "/model.safetensors", name);
}

}  // namespace

TEST_CASE("a few training steps lower the captioning loss", "[train]") {
  test::TempDir out("loupe-train");
  train::CaptionTrainOptions options = small_run(out.path.string(), 40);
  options.lr = 1e-2;
  options.vision.steps = 0;  // every part trains, so every part reports a gradient norm
  const auto snapshot = run_job(options);
  REQUIRE(snapshot->state == jobs::JobState::Succeeded);
  const double first = snapshot->result.as<train::CaptionTrainSummary>().first_loss;
  const double final = snapshot->result.as<train::CaptionTrainSummary>().final_loss;
  INFO("first loss " << first << ", final loss " << final);
  CHECK(final < 0.5 * first);
  // Every logged step reports the gradient norm of each part, all of them finite and non-zero.
  bool logged_norms = false;
  for (const auto& line : snapshot->recent_log) {
    const auto at = line.find("gradient norms: vision ");
    if (at == std::string::npos) continue;
    std::istringstream words(line.substr(at + 16));
    std::string name;
    double vision = 0, projector = 0, decoder = 0;
    words >> name >> vision >> name >> projector >> name >> decoder;
    CHECK(vision > 0);
    CHECK(projector > 0);
    CHECK(decoder > 0);
    logged_norms = std::isfinite(vision + projector + decoder);
  }
  CHECK(logged_norms);
  for (const char* file : {"config.json", "generation_config.json", "tokenizer.json", "model.safetensors"})
    CHECK(std::filesystem::exists(out.file(file)));
}

TEST_CASE("the trained folder loads with load_vlm and captions a split", "[train]") {
  test::TempDir out("loupe-train");
  REQUIRE(run_job(small_run(out.path.string(), 2))->state == jobs::JobState::Succeeded);
  auto vlm = model::load_vlm(out.path.string());
  CHECK(vlm->config.image_tokens == 4);
  CHECK(vlm->config.eos_ids == std::vector<int64_t>{1, 5});
  const text::Tokenizer tokenizer = text::Tokenizer::load(out.file("tokenizer.json"));
  train::SplitEvaluationOptions options;
  options.split = "counter";
  options.batch = 3;
  options.max_new_tokens = 4;
  jobs::StandaloneJob job;
  const auto evaluation =
      train::evaluate_split(*vlm, tokenizer, io::load_dataset(synth_data().dir.path.string()), options, job.context());
  CHECK(job.total() == 4);
  CHECK(job.done() == 4);
  CHECK(evaluation.records.size() == 4);
  CHECK(evaluation.metrics.images == 4);
  CHECK(evaluation.metrics.counter[0].images == 4);
}

TEST_CASE("a run resumed from its checkpoint ends with the uninterrupted run's weights", "[train]") {
  test::TempDir whole("loupe-train"), split("loupe-train");
  REQUIRE(run_job(small_run(whole.path.string(), 16))->state == jobs::JobState::Succeeded);

  // Cancel the second run as soon as it has taken a captioning step (after the vision pretraining);
  // it saves a checkpoint where it stopped, and the resumed run does not pretrain again.
  train::CaptionTrainOptions interrupted = small_run(split.path.string(), 16);
  {
    jobs::JobRunner runner(1);
    const jobs::JobId id =
        runner.submit("train", [&](jobs::JobContext& context) { return train::train_captioner(interrupted, context); });
    while (runner.snapshot(id)->done < interrupted.vision.steps + 1 && !runner.snapshot(id)->finished())
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    runner.cancel(id);
    REQUIRE(runner.wait(id)->state == jobs::JobState::Cancelled);
  }
  CHECK_FALSE(std::filesystem::exists(split.file("model.safetensors")));
  interrupted.resume = true;
  REQUIRE(run_job(interrupted)->state == jobs::JobState::Succeeded);

  for (const char* name : {"language_model.model.embed_tokens.weight", "vision_tower.embeddings.patch_embedding.weight",
                           "multi_modal_projector.mm_input_projection_weight",
                           "language_model.model.layers.1.mlp.down_proj.weight"}) {
    INFO(name);
    CHECK(torch::equal(stored(whole.path.string(), name), stored(split.path.string(), name)));
  }
}

TEST_CASE("vision pretraining teaches the tower the dataset's labels and leaves the decoder alone", "[train]") {
  const auto rows = train::rows_in_split(io::load_dataset(synth_data().dir.path.string()), "train", 0);
  const auto labels = train::label_targets(rows, {"scene", "no-such-column", "gender"});
  REQUIRE(labels.size() == 2);  // a column the dataset lacks is left out
  CHECK(labels[0].column == "scene");
  CHECK(labels[1].classes == std::vector<std::string>{"man", "person", "woman"});
  CHECK(labels[1].targets.size(0) == int64_t(rows.size()));

  test::TempDir out("loupe-pretrain");
  train::CaptionTrainOptions options = small_run(out.path.string(), 1);
  std::filesystem::create_directories(out.path);
  util::write_file_atomic(out.file("config.json"), train::demo_config_json(options.architecture, 300).dump());
  torch::manual_seed(3);
  model::VlmImpl vlm(io::read_model_config(out.path.string()), torch::TensorOptions().dtype(torch::kFloat32));
  train::init_parameters(vlm);
  std::vector<torch::Tensor> pixels;
  for (const auto& row : rows) pixels.push_back(model::image_pixels(vlm.config, row.image));
  const torch::Tensor decoder_before = vlm.language_model->model->embed_tokens->weight.detach().clone();
  const torch::Tensor patches_before = vlm.vision_tower->embeddings->patch_weight.detach().clone();

  train::VisionPretrainingOptions vision;
  vision.steps = 60;
  vision.batch = 16;
  vision.lr = 3e-3;
  jobs::JobRunner runner(1);
  const jobs::JobId id = runner.submit("pretrain", [&](jobs::JobContext& context) {
    return train::pretrain_vision(vlm, torch::cat(pixels), labels, vision, context);
  });
  const auto snapshot = runner.wait(id);
  REQUIRE(snapshot->state == jobs::JobState::Succeeded);
  const nlohmann::json& summary = snapshot->result.as<nlohmann::json>();
  INFO(summary.dump());
  // Six scenes drawn in their own colours: a tower that learns reads them off every image.
  CHECK(summary["accuracy"]["scene"].get<double>() > 0.9);
  CHECK(torch::equal(vlm.language_model->model->embed_tokens->weight, decoder_before));
  CHECK_FALSE(torch::equal(vlm.vision_tower->embeddings->patch_weight, patches_before));
}

TEST_CASE("rows without the pretraining labels skip stage 1 and leave the tower trainable", "[train]") {
  test::TempDir out("loupe-train");
  train::CaptionTrainOptions options = small_run(out.path.string(), 2);
  options.vision.label_columns = {"no-such-column"};
  options.log_every = 1;
  const auto snapshot = run_job(options);
  REQUIRE(snapshot->state == jobs::JobState::Succeeded);
  CHECK(snapshot->total == 2);  // the captioning steps only
  CHECK(snapshot->result.as<train::CaptionTrainSummary>().vision_pretraining["steps"] == 0);
  bool said_why = false, vision_trained = false;
  for (const auto& line : snapshot->recent_log) {
    said_why = said_why || line.find("no vision pretraining") != std::string::npos;
    const auto at = line.find("gradient norms: vision ");
    if (at != std::string::npos) vision_trained = std::isdigit(static_cast<unsigned char>(line[at + 23])) != 0;
  }
  CHECK(said_why);
  CHECK(vision_trained);  // a number, not "frozen": a random tower is never frozen
}

TEST_CASE("training rejects bad options with clear messages", "[train]") {
  test::TempDir out("loupe-train");
  train::CaptionTrainOptions missing = small_run(out.file("model"), 2);
  missing.data_dir = out.file("no-such-data");
  CHECK_THAT(test::message_of<InputError>([&] { train::validate(missing); }),
             Catch::Contains("no-such-data is not a folder") && Catch::Contains("loupe synth"));

  train::CaptionTrainOptions no_steps = small_run(out.file("model"), 0);
  CHECK_THAT(test::message_of<InputError>([&] { train::validate(no_steps); }),
             Catch::Contains("--steps must be at least 1, got 0"));

  train::CaptionTrainOptions resume = small_run(out.file("model"), 2);
  resume.resume = true;
  const auto failed = run_job(resume);
  CHECK(failed->state == jobs::JobState::Failed);
  CHECK_THAT(failed->error_message, Catch::Contains("holds no checkpoint"));

  REQUIRE(run_job(small_run(out.file("model"), 1))->state == jobs::JobState::Succeeded);
  const auto again = run_job(small_run(out.file("model"), 1));
  CHECK_THAT(again->error_message, Catch::Contains("already holds a training checkpoint") && Catch::Contains("--resume"));

  resume.steps = 3;
  CHECK_THAT(run_job(resume)->error_message, Catch::Contains("was made with --steps 1, not 3"));
}

TEST_CASE("loupe train-caption and eval-captions report bad options and exit non-zero", "[train][cli]") {
  const std::string out = test::temp_path("train-cli-out");
  const auto missing = test::run_loupe("train-caption --data '" + test::temp_path("no-data") + "' --out '" + out + "'");
  CHECK(missing.status != 0);
  CHECK_THAT(missing.err, Catch::Contains("is not a folder"));

  const auto no_steps =
      test::run_loupe("train-caption --data '" + synth_data().dir.path.string() + "' --out '" + out + "' --steps 0");
  CHECK(no_steps.status != 0);
  CHECK_THAT(no_steps.err, Catch::Contains("--steps must be at least 1"));

  const auto bad_split = test::run_loupe("eval-captions --model '" + std::string(LOUPE_FIXTURES) +
                                         "/gemma3-tiny' --data '" + synth_data().dir.path.string() + "' --split dev");
  CHECK(bad_split.status != 0);
  CHECK_THAT(bad_split.err, Catch::Contains("no rows in the split 'dev' (the dataset's splits: balanced, counter, train)"));
}

TEST_CASE("rows_in_split takes eval as the balanced split, as eval-captions does", "[train][split]") {
  const io::Dataset demo = io::load_dataset(std::string(LOUPE_SOURCE_DIR) + "/assets/demo/images");
  const auto eval_rows = train::rows_in_split(demo, "eval", 0);
  CHECK(eval_rows.size() == 6);  // the demo images' balanced rows
  CHECK(train::rows_in_split(demo, "balanced", 0).size() == eval_rows.size());
  CHECK_THROWS_WITH(train::rows_in_split(demo, "dev", 0), Catch::Contains("no rows in the split 'dev'"));
}
