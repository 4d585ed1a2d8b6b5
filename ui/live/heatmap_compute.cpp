#include "ui/live/heatmap_compute.h"

#include "core/error.h"
#include "core/sae/sae_io.h"

namespace loupe::ui {

namespace {

std::shared_ptr<const sae::Sae> cached_sae(const std::string& folder, SaeCache& cache) {
  if (folder.empty()) throw InputError("load an SAE (Steering panel) to show one of its latents");
  if (const auto* sae = cache.find(folder)) return *sae;
  return cache.insert(folder, std::make_shared<const sae::Sae>(sae::load_sae(folder)));
}

}  // namespace

model::HookPoint heatmap_capture_point(const HeatmapSpec& spec, const io::ModelConfig& config) {
  return study::heatmap_capture_point(spec.hook, spec.quantity, config);
}

Heatmap compute_heatmap(const HeatmapSpec& spec, const model::HookPoint& point, const model::HookSet& hooks,
                        const torch::Tensor& token_types, int64_t caption_tokens, SaeCache& sae_cache) {
  study::HeatmapInputs inputs;
  inputs.hook = spec.hook;
  inputs.quantity = spec.quantity;
  inputs.latent = spec.latent;
  inputs.caption_token = spec.caption_token;
  if (spec.direction) {
    inputs.direction_name = spec.direction->name;
    inputs.direction = spec.direction->values;
  }
  if (spec.quantity == HeatQuantity::Latent) {
    try {
      inputs.sae = cached_sae(spec.sae_path, sae_cache);
    } catch (const std::exception& error) {
      Heatmap failed;
      failed.title = spec.hook + " \xC2\xB7 " + heat_quantity_name(spec.quantity);
      failed.error = error.what();
      return failed;
    }
  }
  return study::compute_heatmap(inputs, point, hooks, token_types, caption_tokens);
}

}  // namespace loupe::ui
