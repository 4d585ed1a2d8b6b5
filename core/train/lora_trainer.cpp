#include "core/train/lora_trainer.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "core/error.h"
#include "core/io/dataset.h"
#include "core/model/lora_files.h"
#include "core/store/sha256.h"
#include "core/train/adamw.h"
#include "core/train/caption_examples.h"
#include "core/train/checkpoint.h"
#include "core/util/atomic_file.h"
#include "core/util/epoch_order.h"

namespace loupe::train {

namespace {

namespace fs = std::filesystem;

void validate_lora(const LoraTrainOptions& options) {
  if (options.steps < 1) throw InputError("--steps must be at least 1, got " + std::to_string(options.steps));
  if (options.batch < 1) throw InputError("--batch must be at least 1, got " + std::to_string(options.batch));
  if (!(options.lr > 0) || !std::isfinite(options.lr)) throw InputError("--lr must be a positive number");
  if (options.checkpoint_every < 1 || options.log_every < 1)
    throw InputError("checkpoint and log intervals must be at least 1 step");
  if (options.settings.rank < 1) throw InputError("--rank must be at least 1, got " + std::to_string(options.settings.rank));
  if (!(options.settings.dropout >= 0 && options.settings.dropout < 1)) throw InputError("--dropout must be in [0, 1)");
  if (options.out_dir.empty()) throw InputError("--out is required: the adapter's name");
  if (!fs::is_directory(options.data_dir))
    throw InputError("--data " + options.data_dir + " is not a folder (a dataset with an image_caption.csv)");
}

// What besides seed, steps, batch and lr a resumed run must share with the checkpoint's run.
std::string resume_options(const LoraTrainOptions& options, const std::vector<std::string>& modules) {
  const nlohmann::ordered_json fields = {{"rank", options.settings.rank},
                                         {"alpha", options.settings.alpha},
                                         {"dropout", options.settings.dropout},
                                         {"modules", modules},
                                         {"split", options.split},
                                         {"limit", options.limit_rows},
                                         {"weight_decay", options.weight_decay},
                                         {"base_config_sha256", store::sha256_file((fs::path(options.model_folder) / "config.json").string())}};
  return fields.dump();
}

// Each step's dropout seed, from the run's seed and the step (splitmix64 of their mix).
uint64_t step_seed(uint64_t seed, int64_t step) {
  uint64_t z = seed * 0x9E3779B97F4A7C15ull + uint64_t(step) + 1;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::string lora_step_line(int64_t step, int64_t steps, double loss, double lr, double tokens_per_second) {
  std::ostringstream line;
  line.precision(4);
  line << "step " << step << "/" << steps << "  loss " << loss << "  lr " << lr << "  tokens/s " << int64_t(tokens_per_second);
  return line.str();
}

}  // namespace

LoraTrainSummary train_lora(const model::VlmImpl& model, const text::Tokenizer& tokenizer, const LoraTrainOptions& options,
                            jobs::JobContext& context) {
  validate_lora(options);
  const auto started = std::chrono::steady_clock::now();
  context.set_stage("preparing");
  const std::vector<std::string> modules = model::lora_target_modules(model, options.targets);
  auto adapter = std::make_shared<model::LoraAdapter>(model, modules, options.settings, options.seed);
  const std::string checkpoint_path = (fs::path(options.out_dir) / kCheckpointName).string();
  const CheckpointInfo run_info{0, options.seed, options.steps, options.batch, options.lr, resume_options(options, modules)};
  const int64_t first_step = starting_step(checkpoint_path, options.resume, run_info);

  const io::Dataset dataset = io::load_dataset(options.data_dir);
  const std::vector<io::DatasetRow> rows = rows_in_split(dataset, options.split, options.limit_rows);
  context.log("tokenizing and preprocessing " + std::to_string(rows.size()) + " rows");
  const CaptionExamples examples(rows, tokenizer, model.config);
  util::EpochOrder order(examples.size(), options.seed);

  adapter->set_trainable(true);
  const tensor::NamedTensors parameters = adapter->parameters();
  std::vector<torch::Tensor> trained;
  for (const auto& item : parameters) trained.push_back(item.second);
  AdamWOptions adam;
  adam.weight_decay = options.weight_decay;
  AdamW optimizer(parameters, adam);
  fs::create_directories(options.out_dir);
  if (first_step > 0) {
    load_checkpoint(checkpoint_path, parameters, optimizer);
    context.log("resuming from " + checkpoint_path + " at step " + std::to_string(first_step));
  }
  int64_t trainable = 0;
  for (const torch::Tensor& tensor : trained) trainable += tensor.numel();
  context.log("LoRA rank " + std::to_string(options.settings.rank) + " on " + std::to_string(modules.size()) + " linear layers: " +
              std::to_string(trainable) + " trainable parameters (base frozen, " + std::to_string(model.parameter_count()) +
              "); " + std::to_string(examples.size()) + " examples; " + std::to_string(options.steps) + " steps of " +
              std::to_string(options.batch));

  auto checkpoint = [&](int64_t done) {
    CheckpointInfo info = run_info;
    info.step = done;
    save_checkpoint(checkpoint_path, parameters, optimizer, info);
  };
  const int64_t warmup = warmup_steps(options.warmup_fraction, options.steps);
  context.set_total(options.steps - first_step);
  context.set_stage("training");
  LoraTrainSummary summary;
  summary.first_step = first_step;
  for (int64_t step = first_step; step < options.steps; ++step) {
    checkpoint_if_cancelled(context, step, checkpoint);
    const auto step_started = std::chrono::steady_clock::now();
    const CaptionBatch batch = examples.batch(order.span(step * options.batch, options.batch));
    adapter->set_dropout_seed(step_seed(options.seed, step));
    model::Session session;
    session.hooks.set_adapter(adapter);
    const torch::Tensor loss = caption_loss(model.forward(batch.inputs, session), batch.labels);  // logits [B, T, vocab]
    optimizer.zero_grad();
    loss.backward();
    torch::nn::utils::clip_grad_norm_(trained, options.clip_norm);
    const double lr = scheduled_lr(step, options.steps, warmup, options.lr, options.final_lr_ratio);
    optimizer.step(lr);

    summary.final_loss = loss.item<double>();
    if (step == first_step) summary.first_loss = summary.smoothed_loss = summary.final_loss;
    summary.smoothed_loss = 0.9 * summary.smoothed_loss + 0.1 * summary.final_loss;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - step_started).count();
    const double tokens_per_second = double(batch.tokens) / std::max(seconds, 1e-9);
    context.set_metric("loss", summary.smoothed_loss);
    context.set_metric("lr", lr);
    context.set_metric("tokens/s", tokens_per_second);
    if ((step + 1) % options.log_every == 0 || step == first_step || step + 1 == options.steps)
      context.log(lora_step_line(step + 1, options.steps, summary.final_loss, lr, tokens_per_second));
    if ((step + 1) % options.checkpoint_every == 0 && step + 1 < options.steps) checkpoint(step + 1);
    context.advance(1);
  }
  adapter->set_dropout_seed(std::nullopt);
  adapter->set_trainable(false);
  checkpoint(options.steps);

  context.set_stage("writing the adapter");
  model::save_peft_adapter(*adapter, options.out_dir, options.model_folder);
  summary.steps = options.steps;
  summary.modules = int64_t(modules.size());
  summary.trainable_parameters = trainable;
  summary.examples = examples.size();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  summary.out = options.out_dir;
  util::write_file_atomic((fs::path(options.out_dir) / "finetune.json").string(), summary.to_json().dump(2) + "\n");
  return summary;
}

nlohmann::json LoraTrainSummary::to_json() const {
  return {{"steps", steps},
          {"first_step", first_step},
          {"first_loss", first_loss},
          {"final_loss", final_loss},
          {"smoothed_loss", smoothed_loss},
          {"modules", modules},
          {"trainable_parameters", trainable_parameters},
          {"examples", examples},
          {"seconds", seconds},
          {"out", out}};
}

}  // namespace loupe::train
