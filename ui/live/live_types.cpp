#include "ui/live/live_types.h"

namespace loupe::ui {

bool same_except_alphas(const LiveRequest& a, const LiveRequest& b) {
  if (a.model != b.model || a.adapter != b.adapter || a.image != b.image || a.max_new_tokens != b.max_new_tokens || a.steers.size() != b.steers.size())
    return false;
  const HeatmapSpec &x = a.heatmap, &y = b.heatmap;
  if (x.hook != y.hook || x.quantity != y.quantity || x.direction != y.direction || x.latent != y.latent ||
      x.sae_path != y.sae_path || x.caption_token != y.caption_token || x.lang != y.lang)
    return false;
  for (size_t i = 0; i < a.steers.size(); ++i) {
    const Steer &s = a.steers[i], &t = b.steers[i];
    if (s.direction != t.direction || s.hook != t.hook || s.positions != t.positions || s.mode != t.mode) return false;
  }
  return true;
}

}  // namespace loupe::ui
