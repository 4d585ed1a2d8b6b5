#include "ui/live/loaded_model.h"

#include <filesystem>

#include "core/model/inputs.h"
#include "core/model/lora_files.h"
#include "core/study/heatmap.h"
#include "core/study/steering.h"
#include "ui/live/live_types.h"

namespace loupe::ui {

std::shared_ptr<const LoadedModel> load_model(const std::string& folder, jobs::JobContext* job) {
  auto loaded = std::make_shared<LoadedModel>();
  loaded->folder = folder;
  loaded->vlm = model::load_vlm(folder, {}, job);
  loaded->tokenizer = model::model_tokenizer(folder);
  const io::ModelConfig& config = loaded->vlm->config;
  ModelInfo& info = loaded->info;
  info.folder = folder;
  info.family = io::family_name(config.family);
  info.parameters = loaded->vlm->parameter_count();
  info.decoder_layers = int(config.text.layers);
  info.vision_layers = int(config.vision.layers);
  info.hidden = int(config.text.hidden);
  info.image_tokens = int(config.image_tokens);
  for (const auto& point : model::all_hook_points(config)) {
    const std::string name = model::hook_name(point);
    info.hooks.push_back(name);
    if (study::is_steerable(point)) info.steer_hooks.push_back(name);
    if (study::heatmap_reads(point)) info.heatmap_hooks.push_back(name);
  }
  return loaded;
}

const ModelInfo& model_info(const LoadedModel& model) { return model.info; }

std::shared_ptr<const LoadedAdapter> load_adapter(const LoadedModel& model, const std::string& folder) {
  auto loaded = std::make_shared<LoadedAdapter>();
  loaded->folder = folder;
  loaded->name = std::filesystem::path(folder).lexically_normal().filename().string();
  if (loaded->name.empty()) loaded->name = std::filesystem::path(folder).lexically_normal().parent_path().filename().string();
  loaded->adapter = model::load_peft_adapter(folder, *model.vlm, model.folder);
  loaded->model = &model;
  return loaded;
}

}  // namespace loupe::ui
