// SAE training on a workspace's activation store: checks the request against the store and the
// model (hook present, widths agree), then gives the job function that trains it. The CLI
// (`loupe train-sae`) runs that job in the foreground; the GUI submits it to its JobRunner.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "core/jobs/job.h"
#include "core/sae/sae_trainer.h"

namespace loupe::sae {

struct StoreTrainingRequest {
  std::filesystem::path workspace;
  std::string store;   // store name in the workspace (stores/NAME)
  std::string hook;    // TransformerLens hook name, e.g. "blocks.2.hook_resid_post"
  std::string name;    // the SAE's name: it is written to saes/NAME
  SaeKind kind = SaeKind::TopK;
  int64_t expansion = 8;   // d_sae = expansion · d_in
  int64_t k = 32;          // TopK
  int64_t tokens = 0;      // activation vectors to train on (0: two passes over the training vectors, at least 2M)
  // batch, lr, seed, device, objective, intervals, resume, held_out_fraction (the rest is filled in)
  SaeTrainOptions options;
};

struct PreparedTraining {
  SaeTrainOptions options;            // complete: d_in, d_sae, k, hook, model, steps, out_dir
  std::filesystem::path store_folder;
  nlohmann::json parameters;          // the request as run records and cfg.json note it
};

// Throws InputError naming what does not fit: no workspace or store, a hook the store lacks (listing
// those it has) or the model lacks, a store width that differs from the model's hook width, k
// larger than the SAE, a held-out fraction outside (0, 0.5] or a store of fewer than two dataset
// rows, fewer training vectors than one batch.
PreparedTraining prepare_store_training(const StoreTrainingRequest& request);

// The job: opens the store on the job thread, splits it (sae_store_split.h) and trains from shuffled
// batches of the training vectors; the held-out rows' vectors give the final figures. Returns
// train_sae's summary.
jobs::JobFunction store_training_job(const PreparedTraining& prepared);

// Runs `train(prepared)` as one logged run of the workspace (runs.jsonl, command train-sae) and
// returns the run's one-line summary. `train` runs store_training_job(prepared) (in the
// foreground for the CLI, on the app's job thread for the GUI) and returns its summary. When it
// fails, an SAE folder this run created is removed unless it holds a checkpoint (then --resume
// continues it), and the error is rethrown; `on_kept` hears of a folder that stays.
using TrainFunction = std::function<SaeTrainSummary(const PreparedTraining&)>;
std::string train_store_sae_logged(const StoreTrainingRequest& request, const TrainFunction& train,
                                   const std::function<void(const std::string&)>& on_kept);

}  // namespace loupe::sae
