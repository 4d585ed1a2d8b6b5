#include "ui/live/directions.h"

#include <filesystem>

#include "core/error.h"
#include "core/sae/sae_io.h"
#include "core/study/gender_direction.h"
#include "core/study/store_directions.h"
#include "core/tensor/convert.h"
#include "ui/live/loaded_model.h"

namespace loupe::ui {

std::shared_ptr<const Direction> gender_direction(const LoadedModel& model, const std::vector<study::LabeledImage>& images,
                                                  const std::string& hook, study::GenderLabel label, jobs::JobContext& job) {
  study::GenderDirectionRequest request;
  request.hook = hook;
  request.label = label;
  request.images = images;
  const study::GenderDirection made = study::gender_direction(*model.vlm, *model.tokenizer, request, job);
  auto direction = std::make_shared<Direction>();
  direction->name = label == study::GenderLabel::Figure ? "gender" : "gender-caption";
  direction->hook = hook;
  direction->values = tensor::to_floats(made.values);
  // Measured on the demo model at blocks.0.hook_resid_post (docs/gui.md): caption labels flip the
  // English caption's gender at |alpha| 2, figure labels at 2–4 for most images.
  direction->suggested_range = label == study::GenderLabel::Caption ? 4.0f : 8.0f;
  direction->description = made.description;
  return direction;
}

std::shared_ptr<const Direction> file_direction(const std::string& file_colon_key, const std::string& hook) {
  const torch::Tensor vector = tensor::load_reference(file_colon_key);
  if (vector.dim() != 1 && !(vector.dim() == 2 && vector.size(0) == 1))
    throw InputError(file_colon_key + " holds a tensor of " + std::to_string(vector.dim()) + " axes; a direction is one vector [d]");
  auto direction = std::make_shared<Direction>();
  direction->name = std::filesystem::path(file_colon_key).filename().string();
  direction->hook = hook;
  direction->values = tensor::to_floats(vector.flatten());
  direction->description = "read from " + file_colon_key;
  direction->suggested_range = 4.0f;
  return direction;
}

std::shared_ptr<const Direction> sae_latent_direction(const std::string& sae_path, int64_t latent,
                                                      const std::string& fallback_hook) {
  const sae::Sae loaded = sae::load_sae(sae_path);
  if (latent < 0 || latent >= loaded.config.d_sae)
    throw InputError("latent " + std::to_string(latent) + " is outside 0.." + std::to_string(loaded.config.d_sae - 1) + " of " + sae_path);
  auto direction = std::make_shared<Direction>();
  direction->name = "latent-" + std::to_string(latent);
  direction->hook = loaded.config.hook_name.empty() ? fallback_hook : loaded.config.hook_name;
  direction->values = tensor::to_floats(loaded.W_dec[latent]);  // [d_in]
  direction->description = "decoder row of latent " + std::to_string(latent) + " of the SAE " + sae_path;
  direction->suggested_range = 20.0f;
  return direction;
}

std::shared_ptr<const Direction> selection_direction(const std::string& workspace, const std::string& hook,
                                                     const std::vector<int64_t>& entries, const std::string& name) {
  study::StoreDirectionRequest request;
  request.workspace = workspace;
  request.kind = "selection";
  request.hook = hook;
  request.entries = entries;
  request.name = name;
  const study::StoreDirection made = study::store_direction(request);
  const auto file = study::save_direction(workspace, name, made);
  auto direction = std::make_shared<Direction>();
  direction->name = name;
  direction->hook = made.hook;
  direction->values = tensor::to_floats(made.values);  // [d]
  direction->description = made.description + ", saved as " + file.string();
  direction->suggested_range = 4.0f;
  return direction;
}

void export_directions(const std::string& path, const std::vector<std::shared_ptr<const Direction>>& directions) {
  if (directions.empty()) throw InputError("there is no direction to export; add one in the Steering panel");
  tensor::NamedTensors tensors;
  std::map<std::string, std::string> metadata;
  for (const auto& direction : directions) {
    tensors.push_back({direction->name, torch::tensor(direction->values, torch::kFloat32)});
    metadata[direction->name] = direction->hook;
  }
  tensor::save(path, tensors, metadata);
}

}  // namespace loupe::ui
