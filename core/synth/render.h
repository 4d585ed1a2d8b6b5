// Renders one planned sample: scene, activity prop, figure, then global lighting jitter and pixel
// noise, so no two images are alike.
#pragma once
#include "core/io/image.h"
#include "core/synth/plan.h"

namespace loupe::synth {

constexpr int kImageSize = 128;  // square RGB images

// Depends only on plan.scene, plan.activity, plan.figure and plan.render_seed.
io::Image render_sample(const SamplePlan& plan);

}  // namespace loupe::synth
