// Fine-tunes LoRA adapters on a loaded captioner with its base weights frozen: teacher forcing on a
// dataset's captions (core/train/caption_examples.h, the prompt and loss of the demo captioner's
// training), AdamW on the adapters only, as a job with progress, checkpoints and resume.
// The output folder is a PEFT adapter folder (core/model/lora_files.h) plus
//   checkpoint.safetensors   every checkpoint_every steps and on cancel (adapters and AdamW moments)
//   finetune.json            the summary, written last
// A run killed at any point and resumed ends with the same adapter, bit for bit, as a run never
// interrupted (same threads): batches come from the step number (util::EpochOrder) and each step's
// dropout masks from a generator seeded with (seed, step).
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "core/jobs/job.h"
#include "core/model/lora.h"
#include "core/model/vlm.h"
#include "core/text/tokenizer.h"

namespace loupe::train {

struct LoraTrainOptions {
  std::string model_folder;  // the base model's folder (base_model_name_or_path, the base check)
  std::string data_dir;      // a dataset folder (image_caption.csv)
  std::string split = "train";  // the rows trained on (every row when the dataset has no split column)
  std::string out_dir;
  model::LoraTargets targets;
  model::LoraSettings settings{8, 16, 0.05};
  int64_t steps = 200;
  int64_t batch = 16;  // (row, language) examples per step
  double lr = 1e-3;    // peak learning rate
  double final_lr_ratio = 0.1;
  double warmup_fraction = 0.05;
  double weight_decay = 0.0;
  double clip_norm = 1.0;
  uint64_t seed = 1;
  bool resume = false;  // continue from out_dir's checkpoint (required when one exists)
  int64_t checkpoint_every = 50;
  int64_t log_every = 25;
  int64_t limit_rows = 0;  // >0: the split's first this many rows only
};

struct LoraTrainSummary {
  int64_t steps = 0;
  int64_t first_step = 0;  // 0, or the step a resumed run started from
  double first_loss = 0, final_loss = 0, smoothed_loss = 0;
  int64_t modules = 0, trainable_parameters = 0, examples = 0;
  double seconds = 0;
  std::string out;
  nlohmann::json to_json() const;
};

// Throws InputError for impossible options (steps, batch or intervals < 1, lr <= 0, no --out, a
// missing data folder) and, before training, for targets the model lacks or a rank too large
// (model::lora_target_modules, model::LoraAdapter), a split without rows, when out_dir holds a
// checkpoint and resume is off, when resume is on and there is none, or when the checkpoint was
// made with other options. Cancelling stops between steps after saving a checkpoint.
LoraTrainSummary train_lora(const model::VlmImpl& model, const text::Tokenizer& tokenizer, const LoraTrainOptions& options,
                            jobs::JobContext& context);

}  // namespace loupe::train
