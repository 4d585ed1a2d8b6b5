// Draws an image with a heatmap over its patch grid into an offscreen texture (framebuffer
// object), with the colour map in a fragment shader (shaders/heatmap.frag). Re-renders only when
// the image, the values, the range or the opacity changed.
#pragma once
#include <vector>

#include "ui/live/live_types.h"
#include "ui/render/textures.h"

namespace loupe::ui {

class HeatmapView {
 public:
  HeatmapView();   // compiles the shaders; throws loupe::Error with the GL log when they fail
  ~HeatmapView();  // a GL context must be current
  HeatmapView(const HeatmapView&) = delete;
  HeatmapView& operator=(const HeatmapView&) = delete;

  // The texture to show (size × size pixels).
  unsigned render(const Texture& image, const Heatmap& map, float opacity, int size);

 private:
  unsigned program_ = 0, vao_ = 0, framebuffer_ = 0, target_ = 0, heat_ = 0;
  int size_ = 0;
  // What the target holds now, to skip identical renders.
  unsigned last_image_ = 0;
  std::vector<float> last_values_;
  float last_low_ = 0, last_high_ = 0, last_opacity_ = -1;
  int last_grid_w_ = 0;
};

}  // namespace loupe::ui
