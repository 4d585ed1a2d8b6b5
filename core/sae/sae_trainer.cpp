#include "core/sae/sae_trainer.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/util/epoch_order.h"
#include "core/sae/sae_checkpoint.h"
#include "core/sae/sae_init.h"
#include "core/sae/sae_io.h"
#include "core/util/atomic_file.h"
#include "core/util/json_fields.h"

namespace loupe::sae {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// The options a checkpoint must have been made with to be continued.
nlohmann::json run_options(const SaeTrainOptions& o) {
  return {{"kind", kind_name(o.sae.kind)},   {"d_in", o.sae.d_in},
          {"d_sae", o.sae.d_sae},            {"k", o.sae.k},
          {"hook", o.sae.hook_name},         {"steps", o.steps},
          {"batch", o.batch},                {"lr", o.lr},
          {"seed", o.seed},                  {"l1", o.objective.l1},
          {"l1_decoder_norm", o.objective.l1_decoder_norm},
          {"aux_coefficient", o.objective.aux_coefficient},
          {"aux_k", o.objective.aux_k},      {"b_dec_init", o.b_dec_init},
          {"dead_tokens", o.dead_tokens},    {"resample_every", o.resample_every},
          {"warmup_fraction", o.warmup_fraction}, {"decay_fraction", o.decay_fraction},
          {"held_out_fraction", o.held_out_fraction}};
}

// Linear warm-up, constant, then a linear decay to zero over the final decay_fraction of the run.
double learning_rate(int64_t step, const SaeTrainOptions& o) {
  const int64_t warmup = std::max<int64_t>(1, std::llround(o.warmup_fraction * double(o.steps)));
  const int64_t decay = std::llround(o.decay_fraction * double(o.steps));
  if (step < warmup) return o.lr * double(step + 1) / double(warmup);
  if (decay > 0 && step >= o.steps - decay) return o.lr * double(o.steps - step) / double(decay);
  return o.lr;
}

// The final steps whose latent activity gives the summary's statistics and feature sparsity.
int64_t window_length(const SaeTrainOptions& o) {
  return std::clamp<int64_t>((o.dead_tokens + o.batch - 1) / o.batch, 1, o.steps);
}

bool unit_decoder(const SaeTrainOptions& o) {
  return o.sae.kind == SaeKind::TopK || !o.objective.l1_decoder_norm;
}

std::vector<torch::Tensor*> parameters(Sae& sae) { return {&sae.W_enc, &sae.b_enc, &sae.W_dec, &sae.b_dec}; }

// The decoder rows stay unit vectors: drop the gradient along each row before the step, renormalise after.
void project_decoder_gradient(Sae& sae) {
  torch::NoGradGuard no_grad;
  torch::Tensor grad = sae.W_dec.mutable_grad();
  if (grad.defined()) grad.sub_((grad * sae.W_dec).sum(1, true) * sae.W_dec);
}
void normalize_decoder(Sae& sae) {
  torch::NoGradGuard no_grad;
  sae.W_dec.div_(sae.W_dec.norm(2, {1}, true).clamp_min(1e-12));
}

// Re-initialises dead latents of a ReLU SAE towards inputs it reconstructs badly (Anthropic's
// resampling): decoder row = a residual x - x̂ drawn with probability ∝ its squared loss, encoder
// column = that direction at 0.2 × the mean alive encoder norm, zero bias, fresh Adam moments.
void resample_dead(Sae& sae, train::AdamW& optimizer, TrainingState& state, const torch::Tensor& x,
                   const torch::Tensor& reconstruction, const torch::Tensor& dead, uint64_t seed) {
  torch::NoGradGuard no_grad;
  const torch::Tensor dead_ids = dead.nonzero().reshape({-1});
  const int64_t count = dead_ids.numel();
  if (count == 0) return;
  const torch::Tensor residual = x - reconstruction;                             // [B, d_in]
  const torch::Tensor weights = residual.pow(2).sum(1).pow(2).cpu().to(torch::kFloat64);  // [B]
  if (!(weights.sum().item<double>() > 0)) return;
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  const torch::Tensor picks = torch::multinomial(weights, count, true, generator).to(x.device());
  torch::Tensor directions = residual.index_select(0, picks);
  directions.div_(directions.norm(2, {1}, true).clamp_min(1e-12));  // [n, d_in]
  const torch::Tensor alive_ids = dead.logical_not().nonzero().reshape({-1});
  const double encoder_norm =
      alive_ids.numel() > 0 ? sae.W_enc.index_select(1, alive_ids).norm(2, {0}).mean().item<double>() : 1.0;
  sae.W_dec.index_copy_(0, dead_ids, directions);
  sae.W_enc.index_copy_(1, dead_ids, (directions * (0.2 * encoder_norm)).t());
  sae.b_enc.index_fill_(0, dead_ids, 0.0);
  optimizer.reset_moments("W_dec", 0, dead_ids);
  optimizer.reset_moments("W_enc", 1, dead_ids);
  optimizer.reset_moments("b_enc", 0, dead_ids);
  state.tokens_since_fired.index_fill_(0, dead_ids, 0);
}

// metrics.jsonl up to (and including) step `keep`; later lines came from a run that was stopped.
void truncate_metrics(const fs::path& path, int64_t keep) {
  if (!fs::exists(path)) return;
  std::istringstream lines(util::read_file(path.string()));
  std::string line, kept;
  while (std::getline(lines, line)) {
    try {
      const nlohmann::json record = util::parse_json_text(line, path.string());
      const auto step = record.is_object() ? record.find("step") : record.end();
      if (step != record.end() && step->is_number_integer() && step->get<int64_t>() <= keep) kept += line + "\n";
    } catch (const FormatError&) {
      // a line cut short by the stop: dropped with the lines after the checkpoint
    }
  }
  util::write_file_atomic(path.string(), kept);
}

// The largest batch and run (tokens = steps · batch) a training accepts.
constexpr int64_t kMaxBatch = int64_t(1) << 24;
constexpr int64_t kMaxRunTokens = int64_t(1) << 50;

InputError diverged(int64_t step) {
  return InputError("the SAE training diverged at step " + std::to_string(step) +
                    " (the loss or the weights are no longer finite); lower --lr (or --l1, --aux-coefficient) and "
                    "train again");
}

void check_not_diverged(const Sae& sae, int64_t step) {
  torch::NoGradGuard no_grad;
  try {
    sae.check_finite();
  } catch (const FormatError&) {
    throw diverged(step);
  }
}

// Fails before any training when the final figures could not be measured.
void check_held_out(const HeldOutVectors& held_out, int64_t d_in) {
  if (held_out.count < 1 || !held_out.read)
    throw InputError("SAE training needs held-out vectors for its final figures, and there are none");
  const torch::Tensor first = held_out.read(0, 1);  // [1, d]
  if (first.dim() != 2)
    throw InputError("the held-out activations have shape " + c10::str(first.sizes()) + ", expected [N, d_in]");
  if (first.size(1) != d_in)
    throw InputError("the held-out activations have width " + std::to_string(first.size(1)) + " but the SAE's d_in is " +
                     std::to_string(d_in));
}

std::string step_line(int64_t step, int64_t steps, double mse, double ev, double l0, double dead, double rate) {
  std::ostringstream line;
  line.precision(4);
  line << "step " << step << "/" << steps << "  mse " << mse << "  explained variance " << ev << "  L0 " << l0
       << "  dead " << dead << "  tokens/s " << int64_t(rate);
  return line.str();
}

}  // namespace

void validate(const SaeTrainOptions& o) {
  if (o.sae.kind == SaeKind::JumpRelu)
    throw InputError("loupe trains relu and topk SAEs; jumprelu SAEs can be loaded (SAELens, Gemma Scope) but not trained");
  check_sae_size(o.sae.d_in, o.sae.d_sae, "the SAE has");
  if (o.sae.kind == SaeKind::TopK && (o.sae.k < 1 || o.sae.k > o.sae.d_sae))
    throw InputError("--k must be between 1 and the SAE width " + std::to_string(o.sae.d_sae) + ", got " +
                     std::to_string(o.sae.k));
  if (o.batch < 1 || o.batch > kMaxBatch)
    throw InputError("--batch must be from 1 to " + std::to_string(kMaxBatch) + ", got " + std::to_string(o.batch));
  if (o.steps < 1) throw InputError("the SAE needs at least 1 training step (--tokens at least one --batch)");
  if (o.steps > kMaxRunTokens / o.batch)
    throw InputError("the SAE would train on " + std::to_string(o.steps) + " steps of " + std::to_string(o.batch) +
                     " vectors; at most " + std::to_string(kMaxRunTokens) + " tokens are supported");
  if (!(o.lr > 0) || !std::isfinite(o.lr)) throw InputError("--lr must be a positive number");
  if (!(o.objective.l1 >= 0) || !std::isfinite(o.objective.l1)) throw InputError("--l1 must be a finite number, zero or positive");
  if (!(o.decay_fraction >= 0 && o.decay_fraction <= 1) || !(o.warmup_fraction >= 0 && o.warmup_fraction <= 1))
    throw InputError("--decay-fraction and the warm-up fraction must lie between 0 and 1");
  if (!(o.objective.aux_coefficient >= 0) || !std::isfinite(o.objective.aux_coefficient))
    throw InputError("--aux-coefficient must be a finite number, zero or positive");
  if (!(o.dense_frequency >= 0 && o.dense_frequency <= 1)) throw InputError("the dense frequency must lie between 0 and 1");
  if (o.b_dec_init != "median" && o.b_dec_init != "mean" && o.b_dec_init != "zeros")
    throw InputError("--b-dec-init must be median, mean or zeros, got '" + o.b_dec_init + "'");
  if (o.checkpoint_every < 1 || o.log_every < 1 || o.init_batches < 1 || o.dead_tokens < 1 || o.resample_every < 0)
    throw InputError("checkpoint, log, initialisation and dead-latent intervals must be at least 1");
  if (!(o.held_out_fraction > 0 && o.held_out_fraction <= 0.5))
    throw InputError("--held-out must lie in (0, 0.5], got " + std::to_string(o.held_out_fraction));
  if (o.out_dir.empty()) throw InputError("the SAE needs an output folder");
}

nlohmann::json SaeTrainSummary::to_json() const {
  return {{"kind", kind_name(sae.kind)},
          {"d_in", sae.d_in},
          {"d_sae", sae.d_sae},
          {"k", sae.k},
          {"hook", sae.hook_name},
          {"steps", steps},
          {"tokens", tokens},
          {"dead_tokens", dead_tokens},
          {"input_scale", input_scale},
          {"held_out", held_out},
          {"explained_variance", final_figures.explained_variance},
          {"mse", final_figures.mse},
          {"l0", final_figures.l0},
          {"dead_latents", final_figures.dead_latents},
          {"dead_fraction", double(final_figures.dead_latents) / double(std::max<int64_t>(1, sae.d_sae))},
          {"dense_latents", final_figures.dense_latents},
          {"running_window_steps", running_window.steps},
          {"running_window_tokens", running_window.tokens},
          {"running_window_explained_variance", running_window.explained_variance},
          {"running_window_mse", running_window.mse},
          {"running_window_l0", running_window.l0},
          {"running_window_dead_latents", running_window.dead_latents},
          {"running_window_dense_latents", running_window.dense_latents},
          {"last_tokens_per_s", last_tokens_per_s},
          {"seconds", seconds},
          {"out", out}};
}

SaeTrainSummary train_sae(const SaeTrainOptions& options, const BatchSourceFactory& batches, const HeldOutVectors& held_out,
                         jobs::JobContext& context) {
  validate(options);
  check_held_out(held_out, options.sae.d_in);
  const auto started = Clock::now();
  const fs::path out(options.out_dir);
  const std::string checkpoint_path = (out / kCheckpointFile).string();
  const fs::path metrics_path = out / "metrics.jsonl";
  const bool has_checkpoint = fs::exists(checkpoint_path);
  if (has_checkpoint && !options.resume)
    throw InputError(options.out_dir + " already holds an SAE training checkpoint; resume it or choose another name");
  if (!has_checkpoint && options.resume)
    throw InputError("nothing to resume: " + options.out_dir + " holds no " + kCheckpointFile);
  const nlohmann::json run = run_options(options);
  if (has_checkpoint) {
    const nlohmann::json stored = read_checkpoint_options(checkpoint_path);
    for (const auto& [key, value] : run.items())
      if (stored.value(key, nlohmann::json()) != value)
        throw InputError(checkpoint_path + " was made with " + key + " = " +
                         util::describe_json(stored.value(key, nlohmann::json())) + ", not " + util::describe_json(value) +
                         "; resume with the same options or train under another name");
  }
  fs::create_directories(out);

  context.set_stage("initialising");
  Sae sae = Sae::initialized(options.sae, options.seed);
  TrainingState state;
  state.tokens_since_fired = torch::zeros({options.sae.d_sae}, torch::kLong);
  state.window_fires = torch::zeros({options.sae.d_sae}, torch::kLong);
  if (!has_checkpoint) {
    BatchSource sampler = batches(options.seed + 1);
    std::vector<torch::Tensor> drawn;
    for (int64_t i = 0; i < options.init_batches; ++i) drawn.push_back(sampler.next().to(torch::kFloat32));
    const torch::Tensor samples = torch::cat(drawn);  // [N, d_in]
    if (samples.size(1) != options.sae.d_in)
      throw InputError("the activations have width " + std::to_string(samples.size(1)) + " but the SAE's d_in is " +
                       std::to_string(options.sae.d_in));
    state.input_scale = input_scale(samples);
    if (options.b_dec_init == "median") sae.b_dec = geometric_median(samples * state.input_scale);
    else if (options.b_dec_init == "mean") sae.b_dec = (samples * state.input_scale).mean(0);
    context.log("input scale " + std::to_string(state.input_scale) + " (mean squared norm " +
                std::to_string(options.sae.d_in) + " after scaling); b_dec from the " + options.b_dec_init + " of " +
                std::to_string(samples.size(0)) + " vectors");
  }
  std::unique_ptr<train::AdamW> adam;
  try {
    sae = sae.to(options.device);
    state.tokens_since_fired = state.tokens_since_fired.to(options.device);
    state.window_fires = state.window_fires.to(options.device);
    for (torch::Tensor* p : parameters(sae)) p->set_requires_grad(true);
    adam = std::make_unique<train::AdamW>(
        tensor::NamedTensors{{"W_enc", sae.W_enc}, {"b_enc", sae.b_enc}, {"W_dec", sae.W_dec}, {"b_dec", sae.b_dec}},
        kSaeAdam);
  } catch (const c10::OutOfMemoryError&) {
    throw InputError("the SAE (d_in " + std::to_string(options.sae.d_in) + " x d_sae " + std::to_string(options.sae.d_sae) +
                     ") and its Adam moments do not fit on " + options.device.str() + "; use a smaller --expansion");
  }
  train::AdamW& optimizer = *adam;
  if (has_checkpoint) {
    load_sae_checkpoint(checkpoint_path, options.steps, sae, optimizer, state);
    truncate_metrics(metrics_path, state.step);
    context.log("resuming from " + checkpoint_path + " at step " + std::to_string(state.step));
  } else {
    util::write_file_atomic(metrics_path.string(), "");
  }
  // A checkpoint is written only of finite weights, so the last one written can always be continued.
  auto checkpoint = [&]() {
    check_not_diverged(sae, state.step);
    save_sae_checkpoint(checkpoint_path, sae, optimizer, state, run);
  };

  BatchSource source = batches(options.seed);
  source.skip(state.step);
  const int64_t window = window_length(options);
  std::ofstream metrics(metrics_path, std::ios::app);
  context.set_stage("training");
  context.set_total(options.steps - state.step);
  context.log(std::string(kind_name(options.sae.kind)) + " SAE " + std::to_string(options.sae.d_in) + " → " +
              std::to_string(options.sae.d_sae) + (options.sae.kind == SaeKind::TopK ? ", k " + std::to_string(options.sae.k) : "") +
              "; " + std::to_string(options.steps) + " steps of " + std::to_string(options.batch));
  double tokens_per_second = 0;
  while (state.step < options.steps) {
    if (context.cancel_requested()) {
      checkpoint();
      context.throw_if_cancelled();
    }
    const auto step_started = Clock::now();
    const int64_t step = state.step;
    const torch::Tensor x = source.next().to(options.device, torch::kFloat32) * state.input_scale;  // [B, d_in]
    if (x.dim() != 2 || x.size(1) != options.sae.d_in)
      throw InputError("a batch has shape " + c10::str(x.sizes()) + ", expected [B, " + std::to_string(options.sae.d_in) + "]");
    const torch::Tensor dead = state.tokens_since_fired >= options.dead_tokens;  // [d_sae]
    const double lr = learning_rate(step, options);
    const ObjectiveResult result = training_step(sae, optimizer, x, dead, options.objective, lr, unit_decoder(options));
    const double loss = result.loss.item<double>();
    if (!std::isfinite(loss) || !std::isfinite(result.mse)) throw diverged(step + 1);
    {
      torch::NoGradGuard no_grad;
      state.tokens_since_fired.add_(x.size(0)).masked_fill_(result.fire_counts > 0, 0);
      if (step >= options.steps - window) {
        state.window_fires.add_(result.fire_counts);
        state.window_tokens += x.size(0);
        state.window_explained_variance += result.explained_variance;
        state.window_mse += result.mse;
        state.window_l0 += result.l0;
        ++state.window_steps;
      }
      if (options.sae.kind == SaeKind::Relu && options.resample_every > 0 && (step + 1) % options.resample_every == 0 &&
          step + 1 < options.steps)
        resample_dead(sae, optimizer, state, x, result.reconstruction, state.tokens_since_fired >= options.dead_tokens,
                      options.seed * 1000003ULL + uint64_t(step));
    }
    state.step = step + 1;
    const double dead_fraction = (state.tokens_since_fired >= options.dead_tokens).to(torch::kFloat64).mean().item<double>();
    tokens_per_second = double(x.size(0)) / std::max(1e-9, std::chrono::duration<double>(Clock::now() - step_started).count());
    metrics << nlohmann::json{{"step", state.step},
                              {"tokens", state.step * options.batch},
                              {"lr", lr},
                              {"loss", loss},
                              {"mse", result.mse},
                              {"explained_variance", result.explained_variance},
                              {"l0", result.l0},
                              {"dead_fraction", dead_fraction},
                              {"sparsity_loss", result.sparsity_loss},
                              {"tokens_per_s", tokens_per_second}}
                   .dump()
            << "\n";
    context.set_metric("mse", result.mse);
    context.set_metric("explained_variance", result.explained_variance);
    context.set_metric("l0", result.l0);
    context.set_metric("dead_fraction", dead_fraction);
    context.set_metric("tokens/s", tokens_per_second);
    if (state.step % options.log_every == 0 || state.step == 1 || state.step == options.steps)
      context.log(step_line(state.step, options.steps, result.mse, result.explained_variance, result.l0, dead_fraction,
                            tokens_per_second));
    if (state.step % options.checkpoint_every == 0 && state.step < options.steps) {
      metrics.flush();
      checkpoint();
    }
    context.advance(1);
  }
  metrics.close();
  checkpoint();

  context.set_stage("writing the SAE");
  Sae trained = fold_input_scale(sae, state.input_scale).to(torch::kCPU);
  trained.config.input_scale = state.input_scale;
  const torch::Tensor frequency = state.window_fires.cpu().to(torch::kFloat64) / double(std::max<int64_t>(1, state.window_tokens));
  save_sae(options.out_dir, trained, torch::log10(frequency + 1e-10).to(torch::kFloat32));

  // The final figures: the SAE as saved (read back, so in its stored dtype), on vectors it never saw.
  context.set_stage("measuring on held-out vectors");
  const SaeFigures final_figures =
      measure_sae(load_sae(options.out_dir).to(options.device), held_out, options.batch, options.dense_frequency,
                  [&]() { context.throw_if_cancelled(); });
  const int64_t window_dead = (state.window_fires == 0).sum().item<int64_t>();
  const int64_t window_dense = (frequency > options.dense_frequency).sum().item<int64_t>();
  const double steps_in_window = double(std::max<int64_t>(1, state.window_steps));
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  SaeTrainSummary summary;
  summary.sae = options.sae;
  summary.steps = options.steps;
  summary.tokens = options.steps * options.batch;
  summary.dead_tokens = options.dead_tokens;
  summary.input_scale = state.input_scale;
  summary.held_out = held_out.about.is_object() ? held_out.about : nlohmann::json::object();
  summary.held_out["vectors"] = final_figures.vectors;
  summary.final_figures = final_figures;
  summary.running_window = {state.window_steps,
                            state.window_tokens,
                            state.window_explained_variance / steps_in_window,
                            state.window_mse / steps_in_window,
                            state.window_l0 / steps_in_window,
                            window_dead,
                            window_dense};
  summary.last_tokens_per_s = tokens_per_second;
  summary.seconds = seconds;
  summary.out = options.out_dir;
  util::write_file_atomic((out / "summary.json").string(), summary.to_json().dump(2) + "\n");
  std::ostringstream line;
  line.precision(4);
  line << "final weights on " << final_figures.vectors << " held-out vectors: explained variance "
       << final_figures.explained_variance << ", MSE " << final_figures.mse << ", L0 " << final_figures.l0 << ", dead "
       << final_figures.dead_latents << "/" << options.sae.d_sae << ", dense " << final_figures.dense_latents
       << "; running window (last " << state.window_steps << " steps): explained variance "
       << state.window_explained_variance / steps_in_window << ", L0 " << state.window_l0 / steps_in_window << ", dead "
       << window_dead;
  context.log(line.str());
  return summary;
}

ObjectiveResult training_step(Sae& sae, train::AdamW& optimizer, const torch::Tensor& x, const torch::Tensor& dead,
                              const ObjectiveOptions& objective, double lr, bool unit_decoder) {
  ObjectiveResult result = sae_objective(sae, x, dead, objective);
  optimizer.zero_grad();
  result.loss.backward();
  if (unit_decoder) project_decoder_gradient(sae);
  optimizer.step(lr);
  if (unit_decoder) normalize_decoder(sae);
  return result;
}

BatchSourceFactory tensor_batches(torch::Tensor data, int64_t batch) {
  if (data.dim() != 2 || data.size(0) < batch || batch < 1)
    throw InputError("tensor_batches needs [N, d] data with N >= batch >= 1, got " + c10::str(data.sizes()) +
                     " and batch " + std::to_string(batch));
  return [data, batch](uint64_t seed) {
    auto order = std::make_shared<util::EpochOrder>(data.size(0), seed);
    auto served = std::make_shared<int64_t>(0);
    BatchSource source;
    source.next = [=]() {
      const std::vector<int64_t> indices = order->whole_batch((*served)++, batch);
      return data.index_select(0, torch::tensor(indices, torch::kLong));
    };
    source.skip = [served](int64_t batches) { *served += batches; };
    return source;
  };
}

}  // namespace loupe::sae
