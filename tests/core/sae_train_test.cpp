// SAE training on synthetic activations (sparse sums of a hidden dictionary): TopK and ReLU learn
// them, a killed run resumes to exactly the uninterrupted result, cancelling leaves a checkpoint,
// and bad options are refused.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/jobs/runner.h"
#include "core/sae/sae_io.h"
#include "core/sae/sae_trainer.h"
#include "core/util/atomic_file.h"
#include "support/temp_dir.h"

using namespace loupe;
using sae::SaeKind;
using sae::SaeTrainOptions;
using test::line_count;

namespace {

// [n, 32] vectors, each 4 atoms of a 64-atom unit dictionary with magnitudes in [0.5, 2.5], plus
// an offset (b_dec must find it) and a little noise. The dictionary is the same for every seed;
// the seed draws the atoms, magnitudes and noise.
torch::Tensor synthetic_activations(int64_t n, uint64_t seed = 11) {
  torch::manual_seed(11);
  torch::Tensor dictionary = torch::randn({64, 32});
  dictionary /= dictionary.norm(2, {1}, true);
  torch::manual_seed(seed + 1000);
  const torch::Tensor atoms = std::get<1>(torch::rand({n, 64}).sort(1)).slice(1, 0, 4);  // [n, 4]
  const torch::Tensor magnitudes = torch::rand({n, 4}) * 2 + 0.5;
  const torch::Tensor codes = torch::zeros({n, 64}).scatter_(1, atoms, magnitudes);
  return codes.matmul(dictionary) + 0.5 + 0.01 * torch::randn({n, 32});
}

SaeTrainOptions options_for(SaeKind kind, const std::string& out) {
  SaeTrainOptions options;
  options.sae.kind = kind;
  options.sae.d_in = 32;
  options.sae.d_sae = 256;
  options.sae.k = kind == SaeKind::TopK ? 8 : 0;
  options.sae.hook_name = "blocks.1.hook_resid_post";
  options.out_dir = out;
  options.steps = 600;
  options.batch = 256;
  options.lr = 5e-3;
  options.dead_tokens = 256 * 50;
  options.checkpoint_every = 100;
  return options;
}

// Vectors of the same distribution that no training batch contains.
const sae::HeldOutVectors& held_out() {
  static const sae::HeldOutVectors vectors = sae::tensor_held_out(synthetic_activations(1000, 12));
  return vectors;
}

std::shared_ptr<const jobs::JobSnapshot> run(const SaeTrainOptions& options, const sae::BatchSourceFactory& batches) {
  jobs::JobRunner runner(1);
  const jobs::JobId id = runner.submit(
      "train-sae", [&](jobs::JobContext& context) { return sae::train_sae(options, batches, held_out(), context); });
  return runner.wait(id);
}

// The same batches, but the training stream fails at its `fail_at`-th batch, as a killed process stops.
sae::BatchSourceFactory failing_at(sae::BatchSourceFactory inner, uint64_t training_seed, int64_t fail_at) {
  return [=](uint64_t seed) {
    sae::BatchSource source = inner(seed);
    if (seed != training_seed) return source;
    auto served = std::make_shared<int64_t>(0);
    sae::BatchSource failing;
    failing.next = [source, served, fail_at]() {
      if (++*served == fail_at) throw IoError("simulated kill");
      return source.next();
    };
    failing.skip = [source, served](int64_t n) {
      *served += n;
      source.skip(n);
    };
    return failing;
  };
}

}  // namespace

TEST_CASE("a TopK SAE learns sparse synthetic activations", "[sae][train]") {
  test::TempDir dir("loupe-sae-train");
  const auto options = options_for(SaeKind::TopK, dir.file("topk"));
  const auto snapshot = run(options, sae::tensor_batches(synthetic_activations(16384), 256));
  REQUIRE(snapshot->state == jobs::JobState::Succeeded);
  const nlohmann::json summary = snapshot->result.as<sae::SaeTrainSummary>().to_json();
  INFO(summary.dump());
  CHECK(summary["explained_variance"].get<double>() > 0.9);
  CHECK(summary["l0"].get<double>() <= 8.0);
  CHECK(summary["dead_fraction"].get<double>() < 0.25);
  CHECK(line_count(dir.file("topk/metrics.jsonl")) == 600);
  CHECK(snapshot->metrics.count("explained_variance") == 1);

  // The written SAE acts on raw activations: its reconstruction matches the training's figures.
  const sae::Sae trained = sae::load_sae(dir.file("topk"));
  CHECK(trained.config.k == 8);
  CHECK(trained.config.hook_name == "blocks.1.hook_resid_post");
  const torch::Tensor x = synthetic_activations(2048, 13);
  const double unexplained = (trained.reconstruct(x) - x).pow(2).sum().item<double>() /
                             (x - x.mean(0, true)).pow(2).sum().item<double>();
  CHECK(1.0 - unexplained > 0.85);
  CHECK(sae::load_log10_density(dir.file("topk")).size(0) == 256);
}

TEST_CASE("the SAE training summary gives the saved weights' figures on held-out vectors", "[sae][train]") {
  test::TempDir dir("loupe-sae-train");
  for (const SaeKind kind : {SaeKind::TopK, SaeKind::Relu}) {
    auto options = options_for(kind, dir.file(sae::kind_name(kind)));
    options.steps = 300;
    options.objective.l1 = 1.0;
    const auto snapshot = run(options, sae::tensor_batches(synthetic_activations(8192), 256));
    REQUIRE(snapshot->state == jobs::JobState::Succeeded);
    const auto summary = nlohmann::json::parse(util::read_file(dir.file(std::string(sae::kind_name(kind)) + "/summary.json")));
    INFO(summary.dump());
    CHECK(summary == snapshot->result.as<sae::SaeTrainSummary>().to_json());

    // From the definitions, with the weights as saved: dense codes, dense decoder, float64 sums.
    torch::NoGradGuard no_grad;
    const sae::Sae trained = sae::load_sae(options.out_dir);
    const torch::Tensor x = synthetic_activations(1000, 12);   // held_out()'s vectors [1000, 32]
    const torch::Tensor codes = trained.encode(x);              // [1000, 256]
    const torch::Tensor error = (trained.decode(codes) - x).to(torch::kFloat64);
    const torch::Tensor wide = x.to(torch::kFloat64);
    const double explained = 1.0 - error.pow(2).sum().item<double>() / (wide - wide.mean(0, true)).pow(2).sum().item<double>();
    const double mse = error.pow(2).sum(1).mean().item<double>();
    const double l0 = (codes > 0).sum(1).to(torch::kFloat64).mean().item<double>();
    const int64_t dead = ((codes > 0).sum(0) == 0).sum().item<int64_t>();
    CHECK(summary["held_out"]["vectors"] == 1000);
    CHECK(summary["dead_tokens"] == options.dead_tokens);  // the window the training curve's dead_fraction uses
    CHECK(summary["explained_variance"].get<double>() == Approx(explained).margin(1e-5));
    CHECK(summary["mse"].get<double>() == Approx(mse).epsilon(1e-4));
    // The trainer measures in chunks of one batch, this test in one: a code within rounding of 0
    // may count on one side and not the other, hence a margin of one latent activation.
    CHECK(summary["l0"].get<double>() == Approx(l0).margin(1.5e-3));
    CHECK(std::abs(summary["dead_latents"].get<int64_t>() - dead) <= 1);
    // The means over the last training steps are kept, under their own names.
    CHECK(summary.contains("running_window_explained_variance"));
    CHECK(summary["running_window_steps"].get<int64_t>() == 50);
  }
}

TEST_CASE("a ReLU SAE with L1 learns sparse codes", "[sae][train]") {
  test::TempDir dir("loupe-sae-train");
  auto options = options_for(SaeKind::Relu, dir.file("relu"));
  options.objective.l1 = 1.0;
  options.resample_every = 100;
  const auto snapshot = run(options, sae::tensor_batches(synthetic_activations(16384), 256));
  REQUIRE(snapshot->state == jobs::JobState::Succeeded);
  const sae::SaeFigures& figures = snapshot->result.as<sae::SaeTrainSummary>().final_figures;
  CHECK(figures.explained_variance > 0.75);
  CHECK(figures.l0 < 64);  // about 97 of 256 without the penalty
}

TEST_CASE("a killed SAE training resumes to the uninterrupted result", "[sae][train]") {
  test::TempDir dir("loupe-sae-train");
  const auto data = sae::tensor_batches(synthetic_activations(4096), 128);
  auto options = options_for(SaeKind::TopK, dir.file("straight"));
  options.steps = 60;
  options.batch = 128;
  options.checkpoint_every = 20;
  options.dead_tokens = 128 * 10;  // dead latents appear, so AuxK and the counters matter
  REQUIRE(run(options, data)->state == jobs::JobState::Succeeded);

  auto interrupted = options;
  interrupted.out_dir = dir.file("killed");
  const auto killed = run(interrupted, failing_at(data, options.seed, 47));
  REQUIRE(killed->state == jobs::JobState::Failed);
  CHECK(killed->error_message == "simulated kill");
  CHECK(std::filesystem::exists(dir.file("killed/checkpoint.safetensors")));
  CHECK_FALSE(std::filesystem::exists(dir.file("killed/cfg.json")));

  interrupted.resume = true;
  const auto resumed = run(interrupted, data);
  REQUIRE(resumed->state == jobs::JobState::Succeeded);
  CHECK(resumed->total == 20);  // continued from the checkpoint at step 40
  const sae::Sae a = sae::load_sae(dir.file("straight")), b = sae::load_sae(dir.file("killed"));
  CHECK(torch::equal(a.W_enc, b.W_enc));
  CHECK(torch::equal(a.W_dec, b.W_dec));
  CHECK(torch::equal(a.b_enc, b.b_enc));
  CHECK(torch::equal(a.b_dec, b.b_dec));
  CHECK(torch::equal(sae::load_log10_density(dir.file("straight")), sae::load_log10_density(dir.file("killed"))));
  CHECK(line_count(dir.file("killed/metrics.jsonl")) == 60);  // the lines after the checkpoint were replaced
}

TEST_CASE("cancelling SAE training leaves a checkpoint that resumes", "[sae][train]") {
  test::TempDir dir("loupe-sae-train");
  auto options = options_for(SaeKind::TopK, dir.file("cancelled"));
  options.steps = 40;
  jobs::JobRunner runner(1);
  std::atomic<int64_t> served{0};
  const auto data = sae::tensor_batches(synthetic_activations(4096), 256);
  const sae::BatchSourceFactory counting = [&](uint64_t seed) {
    sae::BatchSource source = data(seed);
    auto next = source.next;
    source.next = [next, &served]() {
      ++served;
      return next();
    };
    return source;
  };
  jobs::JobId id = 0;
  id = runner.submit("train-sae", [&](jobs::JobContext& context) {
    return sae::train_sae(options, counting, held_out(), context);
  });
  while (served < 10 && !runner.snapshot(id)->finished()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  runner.cancel(id);
  REQUIRE(runner.wait(id)->state == jobs::JobState::Cancelled);
  REQUIRE(std::filesystem::exists(dir.file("cancelled/checkpoint.safetensors")));

  const auto again = run(options, data);  // the checkpoint is not overwritten without resume
  CHECK(again->state == jobs::JobState::Failed);
  CHECK_THAT(again->error_message, Catch::Contains("resume"));
  options.resume = true;
  CHECK(run(options, data)->state == jobs::JobState::Succeeded);
}

TEST_CASE("SAE training refuses impossible options and mismatched checkpoints", "[sae][train]") {
  test::TempDir dir("loupe-sae-train");
  auto options = options_for(SaeKind::TopK, dir.file("bad"));
  options.sae.k = 300;
  CHECK_THROWS_WITH(sae::validate(options), Catch::Contains("--k"));
  options = options_for(SaeKind::JumpRelu, dir.file("bad"));
  CHECK_THROWS_WITH(sae::validate(options), Catch::Contains("jumprelu"));
  options = options_for(SaeKind::TopK, dir.file("bad"));
  options.b_dec_init = "mode";
  CHECK_THROWS_AS(sae::validate(options), InputError);

  // Resuming with another seed is refused, naming the option.
  options = options_for(SaeKind::TopK, dir.file("first"));
  options.steps = 5;
  const auto data = sae::tensor_batches(synthetic_activations(2048), 256);
  REQUIRE(run(options, data)->state == jobs::JobState::Succeeded);
  options.resume = true;
  options.seed = 2;
  const auto refused = run(options, data);
  CHECK(refused->state == jobs::JobState::Failed);
  CHECK_THAT(refused->error_message, Catch::Contains("seed"));
  // Activations of the wrong width.
  options = options_for(SaeKind::TopK, dir.file("narrow"));
  options.sae.d_in = 16;
  const auto narrow = run(options, data);
  CHECK(narrow->state == jobs::JobState::Failed);
  CHECK_THAT(narrow->error_message, Catch::Contains("width 32"));
}
