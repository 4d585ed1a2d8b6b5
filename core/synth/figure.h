// The person figure at the centre of every synthetic image, seen from the front. Gender cues are bold
// enough to survive 128x128 pixels and 16x16 patches:
//   woman:  long hair falling over the shoulders, narrow shoulders, a flared dress, bare legs;
//   man:    short hair (a cap of hair on top of the head), often a beard, broad shoulders, trousers
//           with a visible gap between the legs;
//   person: cues hidden: a hood around the face (no hair), a straight knee-length coat, trousers.
// Clothing colours come from the same distribution for every kind, so colour carries no gender.
#pragma once
#include "core/synth/raster.h"
#include "core/synth/world.h"

namespace loupe::synth {

struct FigureStyle {
  Subject kind = Subject::Person;
  float center_x = 64, feet_y = 120, height = 60;
  Rgb skin, hair, top, bottom, shoes;  // top: dress / shirt / coat; bottom: legs or trousers
  bool beard = false;                  // men only
};

// Draws skin, hair and clothing colours; a beard for about half of the men.
FigureStyle random_figure_style(Subject kind, float center_x, float feet_y, float height, Rng& rng);

// Key points of a figure, for posing its arms and placing props around it.
struct FigureGeometry {
  float center_x = 0, top_y = 0, feet_y = 0, height = 0;
  Point head;
  float head_radius = 0;
  Point left_shoulder, right_shoulder;  // left = smaller x
  float waist_y = 0;
  float arm_width = 0, hand_radius = 0;
};

FigureGeometry figure_geometry(const FigureStyle& style);

struct Pose {
  Point left_hand, right_hand;
};

Pose resting_pose(const FigureGeometry& geometry);  // arms hanging by the sides

void draw_figure(Canvas& canvas, const FigureStyle& style, const FigureGeometry& geometry, const Pose& pose);

}  // namespace loupe::synth
