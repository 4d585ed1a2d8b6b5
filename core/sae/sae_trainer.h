// Trains a ReLU or TopK SAE on a stream of activation batches, as a job (docs/sae.md, Training).
// The output folder receives
//   checkpoint.safetensors  every checkpoint_every steps and on cancel (weights, Adam moments,
//                           latent activity, input scale; metadata: step and the run's options)
//   metrics.jsonl           one line per step: step, tokens, lr, loss, mse, explained_variance, l0,
//                           dead_fraction, sparsity_loss, tokens_per_s
//   cfg.json, sae_weights.safetensors, sparsity.safetensors   the final SAE in SAELens layout
//   summary.json            the training summary (also the job's result): the saved SAE's figures on
//                           held-out vectors, and the running figures of the last steps, named so
// Resuming continues from the checkpoint: the batch source skips the batches already consumed and
// every random choice derives from (seed, step), so a resumed run ends with the same weights as an
// uninterrupted one.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "core/jobs/job.h"
#include "core/sae/sae.h"
#include "core/sae/sae_held_out.h"
#include "core/train/adamw.h"
#include "core/sae/sae_objective.h"

namespace loupe::sae {

// SAE training uses plain Adam (no weight decay: the decoder rows are kept at unit norm instead).
inline const train::AdamWOptions kSaeAdam{0.9, 0.999, 1e-8, 0.0};

// A deterministic stream of [batch, d_in] float32 activation batches.
struct BatchSource {
  std::function<torch::Tensor()> next;
  std::function<void(int64_t batches)> skip;  // as if next() had been called `batches` times
};
// Makes the stream for a seed: the trainer draws its batches from factory(seed) and the samples it
// sets the input scale and b_dec from from factory(seed + 1).
using BatchSourceFactory = std::function<BatchSource(uint64_t seed)>;

struct SaeTrainOptions {
  SaeConfig sae;  // kind (relu|topk), d_in, d_sae, k; hook and model names go into cfg.json
  std::string out_dir;
  int64_t steps = 1000;
  int64_t batch = 4096;  // activation vectors per step
  double lr = 4e-4;      // peak learning rate
  double warmup_fraction = 0.05;
  double decay_fraction = 0.05;  // linear decay to zero over this final part of the run (docs/sae.md: longer decays kill latents)
  ObjectiveOptions objective;
  std::string b_dec_init = "median";  // median | mean | zeros
  int64_t init_batches = 4;           // batches of samples for the input scale and b_dec
  int64_t dead_tokens = 262144;       // a latent silent for this many tokens counts as dead
  int64_t resample_every = 0;         // relu: re-initialise dead latents every N steps (0: never)
  double dense_frequency = 0.1;       // a latent firing on more than this fraction of tokens is dense
  int64_t checkpoint_every = 200;
  int64_t log_every = 50;
  uint64_t seed = 1;
  // The share of a store's dataset rows kept out of training for the final figures
  // (sae_store_split.h); recorded in the checkpoint so that a resume trains on the same vectors.
  double held_out_fraction = 0.05;
  torch::Device device = torch::kCPU;
  bool resume = false;  // continue from out_dir's checkpoint (required when one exists)
};

// Throws InputError for impossible options (kind jumprelu, k > d_sae, steps/batch < 1, ...).
void validate(const SaeTrainOptions& options);

// What a training run ends with (summary.json and the job's result): the saved SAE's figures on
// held-out vectors, and the means over the last statistics window, named as running figures.
struct SaeTrainSummary {
  SaeConfig sae;               // kind, d_in, d_sae, k, hook_name
  int64_t steps = 0, tokens = 0;
  int64_t dead_tokens = 0;     // the options' window: a latent silent this long counts as dead in training
  double input_scale = 1;
  nlohmann::json held_out;     // how the held-out vectors were picked (rule, fraction, rows, ...) and `vectors`
  SaeFigures final_figures;    // of the saved weights on the held-out vectors
  struct RunningWindow {
    int64_t steps = 0, tokens = 0;
    double explained_variance = 0, mse = 0, l0 = 0;
    int64_t dead_latents = 0, dense_latents = 0;
  } running_window;
  double last_tokens_per_s = 0, seconds = 0;
  std::string out;             // the SAE folder

  nlohmann::json to_json() const;  // summary.json's fields
};

// Runs the training; progress counts steps and reports the running mse, explained_variance, l0,
// dead_fraction and tokens/s of each step as metrics. After the last step it saves the SAE and
// measures the saved weights on `held_out` (vectors `batches` never serves), which gives the
// summary's mse, explained_variance, l0, dead and dense latents; the means over the statistics
// window are kept as running_window_*. Cancelling saves a checkpoint and throws loupe::Cancelled.
// Throws InputError when there are no held-out vectors or they do not have width d_in, when out_dir
// holds a checkpoint and resume is off (or the reverse), or when the checkpoint was made with other
// options. Returns the summary written to summary.json.
SaeTrainSummary train_sae(const SaeTrainOptions& options, const BatchSourceFactory& batches, const HeldOutVectors& held_out,
                         jobs::JobContext& context);

// One optimisation step as train_sae takes it: objective, backward, (unit_decoder: gradient along
// each decoder row removed), Adam at `lr`, (unit_decoder: rows renormalised). `sae`'s parameters
// must require grad and be the optimizer's. Used by bench/sae_train as well.
ObjectiveResult training_step(Sae& sae, train::AdamW& optimizer, const torch::Tensor& x, const torch::Tensor& dead,
                              const ObjectiveOptions& objective, double lr, bool unit_decoder);

// A batch source over an in-memory tensor [N, d_in] in util::EpochOrder's whole batches, as
// store::BatchStream serves a store. For tests and benchmarks.
BatchSourceFactory tensor_batches(torch::Tensor data, int64_t batch);

}  // namespace loupe::sae
