#include "core/study/heatmap_types.h"

#include "core/error.h"

namespace loupe::study {

const char* heat_quantity_name(HeatQuantity quantity) {
  switch (quantity) {
    case HeatQuantity::Norm: return "activation norm";
    case HeatQuantity::Latent: return "SAE latent";
    case HeatQuantity::Projection: return "direction projection";
    case HeatQuantity::Attention: return "attention to image";
  }
  return "?";
}

const char* heat_quantity_word(HeatQuantity quantity) {
  switch (quantity) {
    case HeatQuantity::Norm: return "norm";
    case HeatQuantity::Latent: return "latent";
    case HeatQuantity::Projection: return "projection";
    case HeatQuantity::Attention: return "attention";
  }
  return "?";
}

HeatQuantity parse_heat_quantity(const std::string& word) {
  for (HeatQuantity q : {HeatQuantity::Norm, HeatQuantity::Latent, HeatQuantity::Projection, HeatQuantity::Attention})
    if (word == heat_quantity_word(q)) return q;
  throw InputError("a heatmap quantity is norm, latent, projection or attention, not '" + word + "'");
}

}  // namespace loupe::study
