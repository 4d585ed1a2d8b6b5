#include "core/study/latent_gallery.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>

#include "core/error.h"
#include "core/io/image.h"
#include "core/model/inputs.h"
#include "core/sae/sae_io.h"
#include "core/study/caption_heatmap.h"
#include "core/util/atomic_file.h"

namespace loupe::study {

namespace fs = std::filesystem;

namespace {

struct Example {
  std::string image;
  double value = 0;
};

// The latent's top examples in `language` (latents.json), one per image, strongest first.
std::vector<Example> top_examples(const nlohmann::json& latents, int64_t latent, const std::string& language, size_t count) {
  std::vector<Example> out;
  for (const nlohmann::json& entry : latents) {
    if (entry.value("latent", int64_t(-1)) != latent) continue;
    for (const nlohmann::json& example : entry.value("top_examples", nlohmann::json::array())) {
      const std::string image = example.value("image", std::string());
      if (out.size() >= count) return out;
      if (example.value("language", std::string()) != language || image.empty()) continue;
      if (std::none_of(out.begin(), out.end(), [&](const Example& e) { return e.image == image; }))
        out.push_back({image, example.value("value", 0.0)});
    }
  }
  return out;
}

// "strongest at caption token 'cook' (2.1)", from the map's per-token values.
std::string peak_token(const Heatmap& map, const model::Caption& caption, const text::Tokenizer& tokenizer) {
  if (map.tokens.empty()) return "";
  const size_t peak = size_t(std::max_element(map.tokens.begin(), map.tokens.end()) - map.tokens.begin());
  if (peak >= caption.tokens.size()) return "";
  char value[32];
  std::snprintf(value, sizeof value, "%.3g", map.tokens[peak]);
  return "strongest at caption token '" + tokenizer.token_text(caption.tokens[peak]) + "' (" + value + ")";
}

class Gallery {
 public:
  Gallery(report::Report& report, const workspace::Workspace& ws, const model::LoadOptions& load, const GalleryOptions& options)
      : report_(report), ws_(ws), load_(load), options_(options) {}

  void add(report::ReportSection& section) {
    if (report_.latent_picks.empty() || options_.latents_per_table <= 0 || options_.images_per_latent <= 0) return;
    vlm_ = model::load_vlm(ws_.model().string(), load_);
    tokenizer_ = model::model_tokenizer(ws_.model().string());
    for (size_t p = 0; p < report_.latent_picks.size(); ++p) {
      const report::LatentPick& pick = report_.latent_picks[p];
      const fs::path source = fs::path(pick.folder) / "latents.json";
      try {
        if (pick.sae.empty()) throw FormatError("its summary.json names no SAE, so the gallery cannot encode");
        const nlohmann::json& latents = latents_of(source);
        const std::shared_ptr<const sae::Sae> sae = sae_named(pick.sae);
        const size_t n = std::min(pick.latents.size(), size_t(options_.latents_per_table));
        for (size_t i = 0; i < n; ++i) {
          const std::vector<Example> examples = top_examples(latents, pick.latents[i], pick.language, size_t(options_.images_per_latent));
          for (size_t e = 0; e < examples.size(); ++e) {
            report::ReportImage image = draw(pick, sae, pick.latents[i], examples[e], section);
            if (image.png.empty()) continue;
            image.file_name = "gallery-" + std::to_string(p) + "-latent" + std::to_string(pick.latents[i]) + "-" + std::to_string(e);
            image.source = source.generic_string();
            section.images.push_back(std::move(image));
          }
        }
      } catch (const Error& error) {
        section.problems.push_back(source.generic_string() + ": " + error.what());
      } catch (const nlohmann::json::exception& error) {
        section.problems.push_back(source.generic_string() + ": not the expected JSON (" + error.what() + ")");
      }
    }
  }

 private:
  report::Report& report_;
  const workspace::Workspace& ws_;
  model::LoadOptions load_;
  GalleryOptions options_;
  std::shared_ptr<const model::VlmImpl> vlm_;
  std::shared_ptr<const text::Tokenizer> tokenizer_;
  std::map<std::string, nlohmann::json> latents_;
  std::map<std::string, std::shared_ptr<const sae::Sae>> saes_;

  const nlohmann::json& latents_of(const fs::path& source) {
    auto it = latents_.find(source.string());
    if (it != latents_.end()) return it->second;
    nlohmann::json parsed = nlohmann::json::parse(util::read_file((ws_.root() / source).string()), nullptr, false);
    if (!parsed.is_array()) throw FormatError("not a JSON array of latents");
    return latents_.emplace(source.string(), std::move(parsed)).first->second;
  }

  std::shared_ptr<const sae::Sae> sae_named(const std::string& name) {
    auto it = saes_.find(name);
    if (it == saes_.end()) it = saes_.emplace(name, std::make_shared<const sae::Sae>(sae::load_sae(ws_.sae_dir(name).string()))).first;
    return it->second;
  }

  // The example's image captioned with the latent's heatmap over it; an empty png (and a problem
  // of the section) when it cannot be drawn.
  report::ReportImage draw(const report::LatentPick& pick, const std::shared_ptr<const sae::Sae>& sae, int64_t latent, const Example& example,
                           report::ReportSection& section) {
    report::ReportImage out;
    out.group = pick.title;
    out.latent = latent;
    out.language = pick.language;
    out.image = example.image;
    out.activation = example.value;
    try {
      HeatmapInputs inputs;
      inputs.hook = sae->config.hook_name;
      inputs.quantity = HeatQuantity::Latent;
      inputs.sae = sae;
      inputs.latent = latent;
      const CaptionedHeatmap captioned =
          caption_heatmap(*vlm_, *tokenizer_, example.image, parse_language(pick.language), inputs, options_.max_new_tokens);
      if (!captioned.map.error.empty()) throw InputError(captioned.map.error);
      const io::Image shown = io::resize(io::load_image(example.image), options_.side, options_.side, io::ResampleFilter::Bilinear);
      out.png = io::encode_png(heatmap_overlay(shown, captioned.map, options_.opacity), example.image);
      out.caption = captioned.caption.text;
      out.peak = peak_token(captioned.map, captioned.caption, *tokenizer_);
      out.heat_low = captioned.map.low;
      out.heat_high = captioned.map.high;
    } catch (const Error& error) {
      if (dynamic_cast<const Cancelled*>(&error)) throw;
      section.problems.push_back("latent " + std::to_string(latent) + " on " + example.image + ": " + error.what());
    }
    return out;
  }
};

}  // namespace

void add_latent_gallery(report::Report& report, const workspace::Workspace& workspace, const model::LoadOptions& load,
                        const GalleryOptions& options) {
  for (report::ReportSection& section : report.sections)
    if (section.id == "latents") Gallery(report, workspace, load, options).add(section);
}

}  // namespace loupe::study
