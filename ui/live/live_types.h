// What the UI thread sends to the live worker and what it gets back. Torch-free: panels include
// only this. Results are immutable once published (std::shared_ptr<const LiveResult>).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/study/caption_types.h"
#include "core/study/heatmap_types.h"
#include "core/study/steer_positions.h"
#include "core/util/language.h"

namespace loupe::ui {

struct LoadedModel;  // the model, its tokenizer and hook table (ui/live/loaded_model.h, torch)

}  // namespace loupe::ui
namespace loupe::model {
class LoraAdapter;  // core/model/lora.h (torch)
}  // namespace loupe::model
namespace loupe::ui {

// A LoRA adapter the app read for one loaded model (ui/live/model_info.h, load_adapter).
struct LoadedAdapter {
  std::string folder;
  std::string name;  // the folder's name, shown in the switch
  std::shared_ptr<const model::LoraAdapter> adapter;
  const LoadedModel* model = nullptr;  // the model it was read for: it applies to that one only
};

// A steering direction in a hook's space, e.g. the gender direction at blocks.2.hook_resid_post.
struct Direction {
  std::string name;         // slider label, unique in the steering panel
  std::string hook;         // where it was measured (its natural place to add it)
  std::string description;  // how it was made, for the tooltip
  std::vector<float> values;  // [d]
  // For a mean difference: the spread of the per-image projections, a natural slider unit.
  float suggested_range = 10.0f;
};

using study::SteerMode;

struct Steer {
  std::shared_ptr<const Direction> direction;
  std::string hook;  // where to add alpha · direction
  PositionKind positions = PositionKind::Image;  // never List: the menu offers the kinds
  double alpha = 0;
  SteerMode mode = SteerMode::Additive;
};

using study::heat_quantity_name;
using study::HeatQuantity;
using study::Heatmap;

struct HeatmapSpec {
  std::string hook = "blocks.2.hook_resid_post";  // for Attention: any hook of the layer is fine
  HeatQuantity quantity = HeatQuantity::Norm;
  std::shared_ptr<const Direction> direction;  // Projection
  int64_t latent = 0;                          // Latent (needs an SAE on this hook)
  std::string sae_path;                        // Latent: the SAE folder
  int caption_token = 0;                       // Attention: from this caption token (0-based)
  Language lang = Language::English;           // which caption's tokens are coloured
};

struct LiveRequest {
  std::shared_ptr<const LoadedModel> model;
  std::string image;  // file path
  std::vector<Steer> steers;
  std::shared_ptr<const LoadedAdapter> adapter;  // applied with the steers; null: the base weights
  HeatmapSpec heatmap;
  int max_new_tokens = 24;
};

// True when the two requests differ at most in their sliders' alphas (a drag), which lets the
// worker finish the run it has started instead of cancelling it (docs/gui.md, Threads).
bool same_except_alphas(const LiveRequest& a, const LiveRequest& b);

using study::CaptionText;
using study::TokenChip;
using study::TokenChoice;

struct LiveResult {
  uint64_t request_id = 0;
  std::string image;
  CaptionText baseline[2];  // en, ar with no steering and no adapter
  CaptionText steered[2];   // with the request's steers and adapter (== baseline when neither)
  bool steering = false;    // a slider was off 0
  bool adapted = false;     // an adapter was on
  bool intervened() const { return steering || adapted; }
  Heatmap heatmap;
  double latency_ms = 0;    // from the request to this result
  std::string error;
};

}  // namespace loupe::ui
