// What the figure is doing: each activity poses the figure's arms and puts a visible prop beside or
// in front of it (kitchen: a stove with a steaming pot / a sink with plates; garage: a wrench and a
// toolbox / a spare tyre; office: a laptop on a side table / a stack of boxes held in front; park: a
// dog on a leash / a football at the feet; classroom: a pointer raised towards the board / an open
// book; workshop: a saw on a sawhorse with a plank / a raised hammer over a crate).
#pragma once
#include "core/synth/figure.h"

namespace loupe::synth {

struct Staging {
  FigureGeometry figure;
  int side = 1;  // +1: the prop stands to the figure's right (larger x); -1: to its left
};

Pose activity_pose(Activity activity, const Staging& staging);
// Props drawn before the figure (furniture it stands at) and after it (things held or on the floor in front).
void draw_prop_behind(Canvas& canvas, Activity activity, const Staging& staging, Rng& rng);
void draw_prop_in_front(Canvas& canvas, Activity activity, const Staging& staging, const Pose& pose, Rng& rng);

}  // namespace loupe::synth
