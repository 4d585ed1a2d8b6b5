// The Study panel's SAE training: `loupe train-sae` as a job of the app (sae::train_store_sae_logged,
// the same logged run, checkpoints and clean-up as the CLI). Torch-free interface.
#pragma once
#include <cstdint>
#include <string>

#include "core/jobs/job.h"

namespace loupe::ui {

struct SaeTrainingInputs {
  std::string workspace, store = "acts", hook = "blocks.2.hook_resid_post", name = "sae";
  std::string kind = "topk";  // topk | relu
  int64_t expansion = 8, k = 32;
  double l1 = 5;
  int64_t tokens = 200000, batch = 256;
  bool resume = false;
};

// Trains on the job thread; live metrics (mse, explained_variance, l0, dead_fraction) are the
// trainer's. Throws what prepare_store_training throws (bad hook, k, store) before any folder is
// made. The result carries the run's summary line as a string.
jobs::JobResult run_sae_training(const SaeTrainingInputs& inputs, jobs::JobContext& job);

}  // namespace loupe::ui
