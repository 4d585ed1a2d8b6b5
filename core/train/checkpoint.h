// Training checkpoints: one safetensors file holding the trained weights ("model.NAME"), the AdamW
// moments ("adam.exp_avg.NAME", "adam.exp_avg_sq.NAME") and, as metadata, the step reached and the
// run's options that must not change on resume (seed, steps, batch, lr, and any others a trainer
// records in `options`). Written atomically. The weights are a whole model's (the demo captioner)
// or a LoRA adapter's (core/train/lora_trainer.h).
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "core/jobs/job.h"
#include "core/model/vlm.h"
#include "core/train/adamw.h"

namespace loupe::train {

inline constexpr const char* kCheckpointName = "checkpoint.safetensors";

// What a checkpoint records besides tensors; `step` counts the steps done.
struct CheckpointInfo {
  int64_t step = 0;
  uint64_t seed = 0;
  int64_t steps = 0;
  int64_t batch = 0;
  double lr = 0;
  std::string options;  // further options that must match on resume, as the trainer spells them (may be empty)
};

void save_checkpoint(const std::string& path, const tensor::NamedTensors& weights, const AdamW& optimizer,
                     const CheckpointInfo& info);
void save_checkpoint(const std::string& path, const model::VlmImpl& model, const AdamW& optimizer,
                     const CheckpointInfo& info);

// Reads the info only (to check it against the run's options before loading tensors).
CheckpointInfo read_checkpoint_info(const std::string& path);

// The step a run starts from: 0 for a fresh run, the checkpoint's on resume. Throws InputError when
// `path` exists and resume is off, when resume is on and it does not, or when the checkpoint was
// made with another seed, steps, batch, lr or options than `expected`.
int64_t starting_step(const std::string& path, bool resume, const CheckpointInfo& expected);

// Between two steps: when cancelling was asked, `save(step)` writes a checkpoint at `step` and
// Cancelled is thrown (the job ends Cancelled, --resume continues from there).
void checkpoint_if_cancelled(jobs::JobContext& context, int64_t step, const std::function<void(int64_t)>& save);

// Restores weights and optimizer state in place. Throws FormatError naming a missing or
// mis-shaped tensor.
void load_checkpoint(const std::string& path, const tensor::NamedTensors& weights, AdamW& optimizer);
void load_checkpoint(const std::string& path, model::VlmImpl& model, AdamW& optimizer);

}  // namespace loupe::train
