// Stage 1 of the demo captioner's training: before the decoder sees a caption, the vision tower
// and projector learn to classify every training image's labels (the dataset's scene, activity
// and figure columns) through one temporary linear head per label over the max-pooled image
// tokens, as a real VLM's vision encoder is pretrained before it meets a language model.
//
// Why: trained from random weights on captions alone, the decoder learns the scene from the image
// tokens' colours within 50 steps and the vision tower's gradient then collapses, so the tower never
// learns the props and figures that tell the activity apart (docs/demo-model.md). The heads are
// dropped afterwards; the labels carry the figure's true gender, so any gender bias of the final
// captioner comes from its biased captions, not from a vision tower that cannot see the figure.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/io/dataset.h"
#include "core/jobs/job.h"
#include "core/model/vlm.h"

namespace loupe::train {

struct VisionPretrainingOptions {
  int64_t steps = 800;  // 0 skips the stage (and leaves the tower trainable)
  int64_t batch = 64;   // images per step
  double lr = 1e-3;     // constant AdamW learning rate, after a 5 % linear warm-up
  uint64_t seed = 1;
  // After pretraining, keep the tower fixed while the projector and decoder learn to caption, as
  // Gemma 3 and LLaVA-1.5 keep their pretrained vision encoders frozen.
  bool freeze = true;
  std::vector<std::string> label_columns = {"scene", "activity", "gender"};
};

// One label column's classes and each row's class index.
struct LabelTargets {
  std::string column;
  std::vector<std::string> classes;  // sorted
  torch::Tensor targets;             // [rows] int64
};

// The columns of `columns` that every row fills in; columns missing from the dataset are left out.
std::vector<LabelTargets> label_targets(const std::vector<io::DatasetRow>& rows, const std::vector<std::string>& columns);

// Trains model.vision_tower and model.multi_modal_projector in place on pixels [rows, 3, S, S]
// against `labels`; the decoder is untouched. Advances `context` one unit per step (its total is
// the caller's to set) and logs the loss, then the training accuracy per label.
// Returns {steps, loss, accuracy: {column: training accuracy of the last 10 % of steps}}.
nlohmann::json pretrain_vision(model::VlmImpl& model, const torch::Tensor& pixels, const std::vector<LabelTargets>& labels,
                               const VisionPretrainingOptions& options, jobs::JobContext& context);

}  // namespace loupe::train
