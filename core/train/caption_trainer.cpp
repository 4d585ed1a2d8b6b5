#include "core/train/caption_trainer.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "core/error.h"
#include "core/io/dataset.h"
#include "core/tensor/convert.h"
#include "core/text/tokenizer_builder.h"
#include "core/train/adamw.h"
#include "core/train/caption_examples.h"
#include "core/train/checkpoint.h"
#include "core/train/parameter_init.h"
#include "core/util/atomic_file.h"
#include "core/util/epoch_order.h"

namespace loupe::train {

namespace {

namespace fs = std::filesystem;

void write_json(const fs::path& path, const std::string& text) { util::write_file_atomic(path.string(), text + "\n"); }

// tokenizer.json, config.json and generation_config.json of the output folder.
void write_model_files(const CaptionTrainOptions& options, const io::Dataset& dataset) {
  const fs::path out(options.out_dir);
  const auto tokenizer = text::build_tokenizer_json(caption_corpus(dataset));
  write_json(out / "tokenizer.json", tokenizer.dump(1));
  const auto vocab = int64_t(tokenizer["model"]["vocab"].size());
  write_json(out / "config.json", demo_config_json(options.architecture, vocab).dump(2));
  write_json(out / "generation_config.json", demo_generation_config_json().dump(2));
}

// "vision 0.12 projector 0.03 decoder 0.9": the gradient norm of each part of the model before
// clipping, to see whether the vision tower learns as fast as the decoder ("vision frozen" after
// its pretraining).
std::string gradient_norms(const model::VlmImpl& model) {
  const char* parts[3][2] = {{"vision_tower.", "vision"}, {"multi_modal_projector.", "projector"}, {"language_model.", "decoder"}};
  double squares[3] = {0, 0, 0};
  for (const auto& item : model.named_parameters()) {
    if (!item.value().grad().defined()) continue;
    for (int p = 0; p < 3; ++p)
      if (item.key().rfind(parts[p][0], 0) == 0) squares[p] += item.value().grad().pow(2).sum().item<double>();
  }
  std::ostringstream line;
  line.precision(3);
  const bool vision_frozen = !model.vision_tower->parameters().front().requires_grad();
  for (int p = 0; p < 3; ++p) {
    line << (p ? " " : "") << parts[p][1] << " ";
    if (p == 0 && vision_frozen) line << "frozen";
    else line << std::sqrt(squares[p]);
  }
  return line.str();
}

std::string step_line(int64_t step, int64_t steps, double loss, double lr, double tokens_per_second,
                      const std::string& norms) {
  std::ostringstream line;
  line.precision(4);
  line << "step " << step << "/" << steps << "  loss " << loss << "  lr " << lr << "  tokens/s "
       << int64_t(tokens_per_second) << "  gradient norms: " << norms;
  return line.str();
}

}  // namespace

void validate(const CaptionTrainOptions& options) {
  if (options.steps < 1) throw InputError("--steps must be at least 1, got " + std::to_string(options.steps));
  if (options.batch < 1) throw InputError("--batch must be at least 1, got " + std::to_string(options.batch));
  if (!(options.lr > 0) || !std::isfinite(options.lr)) throw InputError("--lr must be a positive number");
  if (options.vision.steps < 0) throw InputError("--vision-steps must be 0 or more (0 skips the vision pretraining)");
  if (options.vision.batch < 1) throw InputError("the vision pretraining batch must be at least 1 image");
  if (options.checkpoint_every < 1 || options.log_every < 1)
    throw InputError("checkpoint and log intervals must be at least 1 step");
  if (options.out_dir.empty()) throw InputError("--out is required: the folder the model is written to");
  if (!fs::is_directory(options.data_dir))
    throw InputError("--data " + options.data_dir +
                     " is not a folder; make a dataset first with `loupe synth --out DIR --n 3000`");
}

CaptionTrainSummary train_captioner(const CaptionTrainOptions& options, jobs::JobContext& context) {
  validate(options);
  const auto started = std::chrono::steady_clock::now();
  context.set_stage("preparing");
  const std::string checkpoint_path = (fs::path(options.out_dir) / kCheckpointName).string();
  const CheckpointInfo run_info{0, options.seed, options.steps, options.batch, options.lr, ""};
  const int64_t first_step = starting_step(checkpoint_path, options.resume, run_info);
  const bool has_checkpoint = options.resume;  // starting_step refused a resume without a checkpoint

  const io::Dataset dataset = io::load_dataset(options.data_dir);
  const std::vector<io::DatasetRow> rows = rows_in_split(dataset, "train", options.limit_rows);
  fs::create_directories(options.out_dir);
  write_model_files(options, dataset);
  const io::ModelConfig config = io::read_model_config(options.out_dir);
  const text::Tokenizer tokenizer = text::Tokenizer::load((fs::path(options.out_dir) / "tokenizer.json").string());
  context.log("tokenizing and preprocessing " + std::to_string(rows.size()) + " training rows");
  const CaptionExamples examples(rows, tokenizer, config);
  util::EpochOrder order(examples.size(), options.seed);  // batches run on across epoch ends

  torch::manual_seed(options.seed);
  auto model = std::make_shared<model::VlmImpl>(config, torch::TensorOptions().dtype(torch::kFloat32));
  init_parameters(*model);
  model->to(options.device);
  model->train();
  // Stage 1 runs when the rows carry labels to learn (a resumed run's checkpoint holds its result);
  // only a pretrained tower is frozen, never a random one.
  const std::vector<LabelTargets> labels = label_targets(rows, options.vision.label_columns);
  const bool pretrains = options.vision.steps > 0 && !labels.empty();
  nlohmann::json vision_summary = {{"steps", 0}};
  context.set_total((pretrains && !has_checkpoint ? options.vision.steps : 0) + options.steps - first_step);
  if (pretrains && !has_checkpoint) {
    VisionPretrainingOptions vision = options.vision;
    vision.seed = options.seed;
    vision_summary = pretrain_vision(*model, examples.pixels().to(options.device), labels, vision, context);
  } else if (!pretrains && options.vision.steps > 0) {
    context.log("no vision pretraining: the training rows carry none of the label columns it learns");
  }
  if (pretrains && options.vision.freeze)
    for (auto& parameter : model->vision_tower->parameters()) parameter.requires_grad_(false);
  AdamWOptions adam;
  adam.weight_decay = options.weight_decay;
  tensor::NamedTensors parameters;  // the trained ones
  for (auto& item : model->named_parameters())
    if (item.value().requires_grad()) parameters.emplace_back(item.key(), item.value());
  AdamW optimizer(parameters, adam);
  if (has_checkpoint) {
    load_checkpoint(checkpoint_path, *model, optimizer);
    context.log("resuming from " + checkpoint_path + " at step " + std::to_string(first_step));
  }
  context.log("model: " + std::to_string(model->parameter_count()) + " parameters; " + std::to_string(examples.size()) +
              " examples; " + std::to_string(options.steps) + " steps of " + std::to_string(options.batch));

  auto checkpoint = [&](int64_t done) {
    CheckpointInfo info = run_info;
    info.step = done;
    save_checkpoint(checkpoint_path, *model, optimizer, info);
  };
  const int64_t warmup = warmup_steps(options.warmup_fraction, options.steps);
  context.set_stage("training");
  double first_loss = 0, loss_value = 0, smoothed_loss = 0;
  for (int64_t step = first_step; step < options.steps; ++step) {
    checkpoint_if_cancelled(context, step, checkpoint);
    const auto step_started = std::chrono::steady_clock::now();
    const CaptionBatch batch = examples.batch(order.span(step * options.batch, options.batch));
    model::Session session;
    const torch::Tensor logits = model->forward(batch.inputs, session);  // [B, T, vocab]
    const torch::Tensor loss = caption_loss(logits, batch.labels);
    optimizer.zero_grad();
    loss.backward();
    const bool log_step = (step + 1) % options.log_every == 0 || step == first_step || step + 1 == options.steps;
    const std::string norms = log_step ? gradient_norms(*model) : std::string();  // "vision frozen ..." when frozen
    torch::nn::utils::clip_grad_norm_(model->parameters(), options.clip_norm);
    const double lr = scheduled_lr(step, options.steps, warmup, options.lr, options.final_lr_ratio);
    optimizer.step(lr);

    loss_value = loss.item<double>();
    if (step == first_step) first_loss = smoothed_loss = loss_value;
    smoothed_loss = 0.9 * smoothed_loss + 0.1 * loss_value;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - step_started).count();
    const double tokens_per_second = double(batch.tokens) / std::max(seconds, 1e-9);
    context.set_metric("loss", smoothed_loss);
    context.set_metric("lr", lr);
    context.set_metric("tokens/s", tokens_per_second);
    if (log_step) context.log(step_line(step + 1, options.steps, loss_value, lr, tokens_per_second, norms));
    if ((step + 1) % options.checkpoint_every == 0 && step + 1 < options.steps) checkpoint(step + 1);
    context.advance(1);
  }
  checkpoint(options.steps);

  context.set_stage("writing model");
  tensor::NamedTensors weights;
  for (const auto& item : model->named_parameters()) weights.emplace_back(item.key(), item.value().detach());
  tensor::save((fs::path(options.out_dir) / "model.safetensors").string(), weights, {{"format", "pt"}});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return {options.steps, first_loss, loss_value, smoothed_loss, model->parameter_count(), seconds, options.out_dir,
          vision_summary};
}

nlohmann::json CaptionTrainSummary::to_json() const {
  return {{"steps", steps},           {"first_loss", first_loss}, {"final_loss", final_loss},
          {"smoothed_loss", smoothed_loss}, {"parameters", parameters}, {"seconds", seconds},
          {"out", out},               {"vision_pretraining", vision_pretraining}};
}

}  // namespace loupe::train
