// Trains the demo captioner: a small Gemma 3 built from DemoArchitecture, randomly initialised, and
// trained with teacher forcing through model::VlmImpl::forward, the very code that runs inference.
// The output folder ends up a Hugging Face model folder that model::load_vlm reads:
//   config.json, generation_config.json, tokenizer.json   (written before training starts)
//   checkpoint.safetensors                                (every checkpoint_every steps, and on cancel)
//   model.safetensors                                     (the final weights)
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "core/jobs/job.h"
#include "core/train/demo_architecture.h"
#include "core/train/vision_pretraining.h"

namespace loupe::train {

struct CaptionTrainOptions {
  std::string data_dir;  // a dataset folder (image_caption.csv); its "train" rows are used
  std::string out_dir;   // created when absent
  int64_t steps = 1500;
  int64_t batch = 32;  // (row, language) examples per step
  double lr = 2e-3;    // peak learning rate
  double final_lr_ratio = 0.05;
  double warmup_fraction = 0.05;
  double weight_decay = 0.01;
  double clip_norm = 1.0;
  uint64_t seed = 1;
  torch::Device device = torch::kCPU;
  bool resume = false;  // continue from out_dir's checkpoint (required when one exists)
  int64_t checkpoint_every = 100;
  int64_t log_every = 25;
  int64_t limit_rows = 0;  // >0: train on the first this many train rows only
  DemoArchitecture architecture;
  VisionPretrainingOptions vision;  // stage 1 (skipped on resume: the checkpoint holds its result)
};

// Throws InputError for impossible options (steps or batch < 1, lr <= 0, a missing data folder).
void validate(const CaptionTrainOptions& options);

// Runs the training as a job: stage 1 (pretrain_vision on the rows' labels, with the run's seed),
// then the captioning steps with progress (steps), metrics (loss, lr, tokens/s), a log line every
// log_every steps. Cancelling stops between steps after saving a checkpoint. Throws InputError
// when out_dir holds a checkpoint and resume is off, when resume is on and there is none, or when
// the checkpoint was made with another seed, steps, batch or lr.
struct CaptionTrainSummary {
  int64_t steps = 0;
  double first_loss = 0;  // of this run's first step
  double final_loss = 0, smoothed_loss = 0;
  int64_t parameters = 0;
  double seconds = 0;
  std::string out;
  nlohmann::json vision_pretraining;  // pretrain_vision's summary ({"steps": 0} when stage 1 did not run)

  nlohmann::json to_json() const;
};
CaptionTrainSummary train_captioner(const CaptionTrainOptions& options, jobs::JobContext& context);

}  // namespace loupe::train
