// `loupe train-sae`: trains a ReLU or TopK SAE on one hook of a workspace's activation store, as a
// job with progress on stderr; Ctrl-C stops it after a checkpoint that --resume continues. The SAE
// lands in W/saes/NAME in SAELens layout; every run is logged to runs.jsonl.
#include <filesystem>
#include <iostream>

#include "app/cli/commands.h"
#include "core/error.h"
#include "core/jobs/progress_printer.h"
#include "core/sae/sae_store_training.h"
#include "core/tensor/convert.h"

namespace loupe::cli {

namespace {

sae::StoreTrainingRequest request_of(const Args& args) {
  sae::StoreTrainingRequest request;
  request.workspace = args.get("workspace");
  request.store = args.get_or("store", "acts");
  request.hook = args.get("hook");
  request.name = args.get("out");
  request.kind = sae::parse_kind(args.get_or("kind", "topk"));
  request.expansion = args.get_int("expansion", request.expansion);
  request.k = args.get_int("k", request.k);
  if (args.has("tokens")) {  // absent: the default; 0 is not a way to ask for it
    request.tokens = args.get_int("tokens", 0);
    if (request.tokens < 1)
      throw InputError("--tokens must be at least 1, got " + std::to_string(request.tokens) +
                       " (leave it out for the default: two passes over the training vectors, at least 2,000,000)");
  }
  sae::SaeTrainOptions& options = request.options;
  options.batch = args.get_int("batch", options.batch);
  options.lr = args.get_double("lr", options.lr);
  options.decay_fraction = args.get_double("decay-fraction", options.decay_fraction);
  options.objective.l1 = args.get_double("l1", options.objective.l1);
  options.objective.l1_decoder_norm = !args.has("plain-l1");
  options.objective.aux_coefficient = args.get_double("aux-coefficient", options.objective.aux_coefficient);
  options.b_dec_init = args.get_or("b-dec-init", options.b_dec_init);
  options.dead_tokens = args.get_int("dead-tokens", options.dead_tokens);
  options.resample_every = args.get_int("resample-every", request.kind == sae::SaeKind::Relu ? 500 : 0);
  options.checkpoint_every = args.get_int("checkpoint-every", options.checkpoint_every);
  options.log_every = args.get_int("log-every", options.log_every);
  options.held_out_fraction = args.get_double("held-out", options.held_out_fraction);
  options.seed = args.get_seed();
  options.device = tensor::parse_device(args.get_or("device", "cpu"));
  options.resume = args.has("resume");
  return request;
}

// Runs the training job in the foreground, its log in the SAE folder, progress on stderr.
sae::SaeTrainSummary run_training(const sae::PreparedTraining& prepared, const std::string& name) {
  const std::filesystem::path out(prepared.options.out_dir);
  std::filesystem::create_directories(out);  // for the job's log file
  jobs::JobRunner runner(1);
  const jobs::JobId id = runner.submit("train-sae " + name, sae::store_training_job(prepared), (out / "train.log").string());
  return jobs::run_in_foreground(runner, id, std::cerr).as<sae::SaeTrainSummary>();
}

int run_train_sae(const Args& args) {
  const std::string name = args.get("out");
  const std::string line = sae::train_store_sae_logged(
      request_of(args), [&](const sae::PreparedTraining& prepared) { return run_training(prepared, name); },
      [](const std::string& kept) { std::cerr << "train-sae: " << kept << "\n"; });
  std::cout << "train-sae: " << line << "\n";
  return 0;
}

}  // namespace

CommandSpec train_sae_command() {
  return {"train-sae",
          "train a TopK or ReLU sparse autoencoder on one hook of an activation store (resumable)",
          "loupe train-sae --workspace DIR --hook NAME --out NAME [--store NAME] [--kind topk|relu] [--expansion 8] "
          "[--k 32] [--l1 5] [--tokens N] [--batch 4096] [--lr 4e-4] [--held-out 0.05] [--device cpu|cuda] [--seed S] "
          "[--resume]",
          {{"workspace", "DIR", "workspace folder (loupe init)"},
           {"store", "NAME", "activation store in DIR/stores (default acts)"},
           {"hook", "NAME", "the hook to train on, e.g. blocks.2.hook_resid_post"},
           {"out", "NAME", "SAE name: written to DIR/saes/NAME (SAELens layout, metrics.jsonl, summary.json)"},
           {"kind", "KIND", "topk (default) or relu (L1 penalty)"},
           {"expansion", "N", "latents per input dimension (default 8)"},
           {"k", "K", "topk: active latents per vector (default 32)"},
           {"l1", "C", "relu: L1 coefficient (default 5)"},
           {"aux-coefficient", "C", "topk: weight of the AuxK loss that revives dead latents (default 1/32)"},
           {"plain-l1", "", "relu: do not weight the L1 penalty by the decoder norms (keeps decoder rows at unit norm)"},
           {"tokens", "N", "activation vectors to train on (default: two passes over the training vectors, at least 2,000,000)"},
           {"batch", "B", "vectors per step (default 4096)"},
           {"lr", "LR", "peak Adam learning rate (default 4e-4; warm-up over the first 5% of steps)"},
           {"decay-fraction", "F", "the final fraction of steps over which the learning rate decays to 0 (default 0.05)"},
           {"b-dec-init", "HOW", "median (geometric median, default), mean or zeros"},
           {"dead-tokens", "N", "a latent silent for N tokens counts as dead (default 262144)"},
           {"resample-every", "N", "relu: re-initialise dead latents every N steps (default 500; 0: never)"},
           {"checkpoint-every", "N", "steps between checkpoints (default 200)"},
           {"log-every", "N", "steps between progress lines (default 50)"},
           {"held-out", "F", "share of the store's dataset rows kept out of training; summary.json's figures are the saved "
                             "SAE's on their vectors (default 0.05, at most 0.5)"},
           {"device", "cpu|cuda", "where to train (default cpu)"},
           {"seed", "S", "seed of the initial weights and the batch order (default 1)"},
           {"resume", "", "continue the interrupted training of --out from its checkpoint"}},
          run_train_sae};
}

}  // namespace loupe::cli
