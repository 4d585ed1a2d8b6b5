#include "ui/live/latent_thumbnails_job.h"

#include <memory>

#include "core/error.h"
#include "core/sae/sae_io.h"
#include "core/study/caption_heatmap.h"
#include "ui/live/loaded_model.h"

namespace loupe::ui {

namespace {

constexpr int64_t kCaptionTokens = 24;  // as the report's gallery

}  // namespace

jobs::JobResult run_latent_thumbnails(const LoadedModel& model, const std::string& sae_folder, int64_t latent,
                                      const std::vector<std::pair<std::string, std::string>>& examples, jobs::JobContext& job) {
  auto sae = std::make_shared<const sae::Sae>(sae::load_sae(sae_folder));
  study::HeatmapInputs inputs;
  inputs.hook = sae->config.hook_name;
  inputs.quantity = study::HeatQuantity::Latent;
  inputs.sae = sae;
  inputs.latent = latent;
  LatentThumbnails out{sae_folder, latent, {}};
  job.set_total(int64_t(examples.size()));
  for (const auto& [image, language] : examples) {
    job.throw_if_cancelled();
    try {
      out.maps[{image, language}] =
          study::caption_heatmap(*model.vlm, *model.tokenizer, image, parse_language(language), inputs, kCaptionTokens).map;
    } catch (const Error& error) {
      if (dynamic_cast<const Cancelled*>(&error)) throw;
      out.maps[{image, language}].error = error.what();
    }
    job.advance(1);
  }
  return jobs::JobResult(std::move(out));
}

}  // namespace loupe::ui
