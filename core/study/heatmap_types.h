// A heatmap over an image's patches (and the caption's tokens): which quantity, and the grid a
// computation gives back. Torch-free, so panels can draw it.
#pragma once
#include <string>
#include <vector>

namespace loupe::study {

enum class HeatQuantity { Norm, Latent, Projection, Attention };
const char* heat_quantity_name(HeatQuantity quantity);  // "activation norm", ... (for titles)
const char* heat_quantity_word(HeatQuantity quantity);  // "norm", "latent", "projection", "attention"
HeatQuantity parse_heat_quantity(const std::string& word);  // the words above; throws InputError

struct Heatmap {
  std::string title;              // "blocks.2.hook_resid_post · activation norm"
  int grid_width = 0, grid_height = 0;
  std::vector<float> patches;     // [grid_height * grid_width], row-major
  std::vector<float> tokens;      // one per caption token (empty when not defined)
  float low = 0, high = 1;        // colour-map range over patches
  std::string error;              // why there is no map (wrong width, no SAE, ...)
};

}  // namespace loupe::study
