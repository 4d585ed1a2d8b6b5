// Loading a model for the desktop app, and the facts about it that panels show (torch-free).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/jobs/job.h"

namespace loupe::ui {

struct LoadedModel;
struct LoadedAdapter;  // ui/live/live_types.h

struct ModelInfo {
  std::string folder;
  std::string family;              // "gemma3", "llava"
  int64_t parameters = 0;
  int decoder_layers = 0;
  int vision_layers = 0;
  int hidden = 0;                  // decoder width
  int image_tokens = 0;
  std::vector<std::string> hooks;  // every hook point, forward order (vision, projector, decoder)
  std::vector<std::string> steer_hooks;    // those study::is_steerable accepts
  std::vector<std::string> heatmap_hooks;  // those study::heatmap_reads accepts
};

// Loads config, weights and tokenizer (seconds for real checkpoints: call it from a job, which
// then shows one progress item per weight and may cancel the load).
// Throws the core's typed errors (IoError, FormatError, ConfigError) with their messages.
std::shared_ptr<const LoadedModel> load_model(const std::string& folder, jobs::JobContext* job = nullptr);
const ModelInfo& model_info(const LoadedModel& model);

// A LoRA adapter folder (PEFT layout, `loupe finetune`) read for `model`; throws as
// model::load_peft_adapter does (not an adapter folder, another base model, unknown modules).
std::shared_ptr<const LoadedAdapter> load_adapter(const LoadedModel& model, const std::string& folder);

}  // namespace loupe::ui
