#include "core/synth/render.h"

#include <algorithm>

#include "core/synth/activities.h"
#include "core/synth/figure.h"
#include "core/synth/scenes.h"

namespace loupe::synth {

io::Image render_sample(const SamplePlan& plan) {
  Rng rng(plan.render_seed);
  Canvas canvas(kImageSize, kImageSize, {0, 0, 0});
  const float horizon = draw_scene(canvas, plan.scene, rng);
  // The figure stands on the floor, 44 to 76 pixels tall, anywhere across the width; its prop goes
  // to the side with more room.
  const float feet_y = float(rng.uniform(std::max(100.0f, horizon + 16), 124));
  const float height = std::min(float(rng.uniform(68, 100)), feet_y - 4);
  const float center_x = float(rng.uniform(26, 102));
  const bool prop_right = center_x < 52 ? true : center_x > 76 ? false : rng.chance(0.5);
  const FigureStyle style = random_figure_style(plan.figure, center_x, feet_y, height, rng);
  const Staging staging{figure_geometry(style), prop_right ? 1 : -1};
  const Pose pose = activity_pose(plan.activity, staging);
  draw_prop_behind(canvas, plan.activity, staging, rng);
  draw_figure(canvas, style, staging.figure, pose);
  draw_prop_in_front(canvas, plan.activity, staging, pose, rng);
  const int tint[3] = {rng.uniform_int(-8, 8), rng.uniform_int(-8, 8), rng.uniform_int(-8, 8)};
  canvas.finish(rng, float(rng.uniform(0.88, 1.12)), tint, 12);
  return canvas.take_image();
}

}  // namespace loupe::synth
