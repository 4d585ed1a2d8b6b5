#include "core/synth/activities.h"

#include <algorithm>

namespace loupe::synth {

namespace {

// Positions in units of the figure's height, measured from its centre line (dx towards the prop
// side) and from the top of its head (dy downwards).
struct Frame {
  const FigureGeometry& g;
  int side;
  Point at(float dx, float dy) const { return {g.center_x + side * dx * g.height, g.top_y + dy * g.height}; }
  float size(float fraction) const { return fraction * g.height; }
  // A rectangle spanning dx0..dx1 on the prop side and dy0..dy1.
  void rect(Canvas& c, float dx0, float dy0, float dx1, float dy1, Rgb colour) const {
    const Point a = at(dx0, dy0), b = at(dx1, dy1);
    c.rect(std::min(a.x, b.x), a.y, std::max(a.x, b.x), b.y, colour);
  }
};

Pose with_side_hand(const FigureGeometry& g, int side, Point hand) {
  Pose pose = resting_pose(g);
  (side > 0 ? pose.right_hand : pose.left_hand) = hand;
  return pose;
}

Point side_hand(const Pose& pose, int side) { return side > 0 ? pose.right_hand : pose.left_hand; }

void stove(Canvas& c, const Frame& f, Rng& rng) {
  f.rect(c, 0.22f, 0.54f, 0.6f, 1.0f, {150, 150, 155});
  f.rect(c, 0.235f, 0.555f, 0.585f, 0.99f, {240, 240, 242});
  f.rect(c, 0.28f, 0.68f, 0.54f, 0.9f, {35, 35, 40});  // oven window
  const Rgb pot = jitter(rng.chance(0.5) ? Rgb{205, 45, 40} : Rgb{80, 90, 110}, rng, 10);
  f.rect(c, 0.28f, 0.42f, 0.54f, 0.545f, pot);
  f.rect(c, 0.26f, 0.41f, 0.56f, 0.44f, shade(pot, 0.7f));
  for (float dx : {0.33f, 0.41f, 0.49f}) {  // steam
    for (int k = 0; k < 3; ++k) {
      const Point a = f.at(dx + (k % 2 ? 0.02f : -0.02f), 0.38f - 0.06f * k);
      const Point b = f.at(dx + (k % 2 ? -0.02f : 0.02f), 0.32f - 0.06f * k);
      c.line(a, b, std::max(1.2f, f.size(0.018f)), {236, 236, 240});
    }
  }
}

void sink(Canvas& c, const Frame& f, Rng& rng) {
  f.rect(c, 0.2f, 0.55f, 0.64f, 1.0f, jitter({120, 140, 170}, rng, 10));
  f.rect(c, 0.19f, 0.53f, 0.65f, 0.58f, {190, 195, 205});
  const Point basin = f.at(0.36f, 0.555f);
  c.ellipse(basin.x, basin.y, f.size(0.11f), f.size(0.02f) + 0.8f, {60, 150, 230});
  c.line(f.at(0.42f, 0.53f), f.at(0.42f, 0.4f), f.size(0.025f) + 0.5f, {170, 175, 185});  // tap
  c.line(f.at(0.42f, 0.4f), f.at(0.33f, 0.42f), f.size(0.025f) + 0.5f, {170, 175, 185});
  for (int k = 0; k < 3; ++k) {
    const Point plate = f.at(0.55f, 0.52f - 0.035f * k);
    c.ellipse(plate.x, plate.y, f.size(0.08f), f.size(0.018f) + 0.6f, {250, 250, 250});
  }
  for (int k = 0; k < 4; ++k) {
    const Point bubble = f.at(0.28f + 0.05f * k, 0.5f - 0.03f * (k % 2));
    c.circle(bubble.x, bubble.y, f.size(0.018f) + 0.6f, {235, 245, 255});
  }
}

void laptop_table(Canvas& c, const Frame& f) {
  f.rect(c, 0.2f, 0.58f, 0.23f, 1.0f, {100, 100, 108});
  f.rect(c, 0.53f, 0.58f, 0.56f, 1.0f, {100, 100, 108});
  f.rect(c, 0.17f, 0.56f, 0.6f, 0.6f, {175, 130, 85});
  f.rect(c, 0.22f, 0.54f, 0.5f, 0.56f, {90, 92, 100});      // keyboard
  f.rect(c, 0.32f, 0.33f, 0.58f, 0.545f, {40, 40, 48});     // screen frame
  f.rect(c, 0.34f, 0.35f, 0.56f, 0.525f, {130, 205, 255});  // glowing screen
}

void sawhorse(Canvas& c, const Frame& f) {
  const Rgb paint = {245, 190, 20};  // a yellow-painted sawhorse: no other workshop object has its colour
  const float width = f.size(0.04f) + 0.6f;
  c.line(f.at(0.3f, 0.62f), f.at(0.24f, 1.0f), width, paint);
  c.line(f.at(0.3f, 0.62f), f.at(0.36f, 1.0f), width, paint);
  c.line(f.at(0.52f, 0.62f), f.at(0.46f, 1.0f), width, paint);
  c.line(f.at(0.52f, 0.62f), f.at(0.58f, 1.0f), width, paint);
  f.rect(c, 0.16f, 0.57f, 0.68f, 0.63f, {228, 196, 140});  // plank
}

void crate(Canvas& c, const Frame& f) {
  const Rgb wood = {176, 124, 70};
  f.rect(c, 0.26f, 0.7f, 0.6f, 1.0f, shade(wood, 0.7f));
  for (float dy : {0.71f, 0.81f, 0.91f}) f.rect(c, 0.27f, dy, 0.59f, dy + 0.08f, wood);
  c.line(f.at(0.43f, 0.7f), f.at(0.43f, 0.64f), f.size(0.02f) + 0.5f, {150, 150, 160});  // nail
}

void dog(Canvas& c, const Frame& f, const Pose& pose, Rng& rng) {
  const std::vector<Rgb> coats = {{120, 75, 35}, {30, 28, 28}, {215, 170, 90}, {235, 230, 220}};
  const Rgb coat = jitter(rng.pick(coats), rng, 10);
  const float leg = f.size(0.028f) + 0.6f;
  for (float dx : {0.36f, 0.42f, 0.52f, 0.58f}) c.line(f.at(dx, 0.86f), f.at(dx, 0.995f), leg, shade(coat, 0.85f));
  c.line(f.at(0.33f, 0.85f), f.at(0.27f, 0.76f), leg, coat);  // tail
  const Point body = f.at(0.47f, 0.86f);
  c.ellipse(body.x, body.y, f.size(0.15f), f.size(0.06f), coat);
  const Point head = f.at(0.63f, 0.79f);
  c.circle(head.x, head.y, f.size(0.06f), coat);
  const Point snout = f.at(0.69f, 0.81f);
  c.ellipse(snout.x, snout.y, f.size(0.04f), f.size(0.03f), coat);
  const Point ear = f.at(0.6f, 0.78f);
  c.ellipse(ear.x, ear.y, f.size(0.025f), f.size(0.05f), shade(coat, 0.6f));
  c.line(side_hand(pose, f.side), f.at(0.6f, 0.84f), 1.2f, {170, 30, 40});  // leash
}

void football(Canvas& c, const Frame& f) {
  const float r = std::max(4.5f, f.size(0.1f));
  const Point centre = {f.at(0.27f, 0).x, f.g.feet_y - r};
  c.circle(centre.x, centre.y, r, {250, 250, 250});
  c.circle(centre.x, centre.y, r * 0.32f, {20, 20, 20});
  for (Point d : {Point{-0.7f, -0.45f}, Point{0.7f, -0.45f}, Point{0, 0.8f}})
    c.circle(centre.x + d.x * r, centre.y + d.y * r, r * 0.22f, {20, 20, 20});
}

// A white goal behind the player: two posts and a crossbar over a grey net.
void goal(Canvas& c, const Frame& f) {
  const Rgb white = {248, 248, 248}, net = {200, 205, 210};
  const float post = f.size(0.03f) + 0.6f;
  for (float dx = 0.3f; dx < 0.78f; dx += 0.08f) c.line(f.at(dx, 0.5f), f.at(dx, 1.0f), 1, net);
  for (float dy = 0.58f; dy < 1.0f; dy += 0.08f) c.line(f.at(0.22f, dy), f.at(0.78f, dy), 1, net);
  c.line(f.at(0.22f, 0.45f), f.at(0.22f, 1.0f), post, white);
  c.line(f.at(0.78f, 0.45f), f.at(0.78f, 1.0f), post, white);
  c.line(f.at(0.22f, 0.45f), f.at(0.78f, 0.45f), post, white);
}

// A flip chart on an easel beside the teacher: a white sheet with coloured bars.
void flip_chart(Canvas& c, const Frame& f) {
  const Rgb wood = {120, 80, 45};
  const float leg = f.size(0.025f) + 0.6f;
  c.line(f.at(0.42f, 0.1f), f.at(0.34f, 1.0f), leg, wood);
  c.line(f.at(0.62f, 0.1f), f.at(0.7f, 1.0f), leg, wood);
  f.rect(c, 0.3f, -0.12f, 0.74f, 0.42f, {90, 90, 95});
  f.rect(c, 0.32f, -0.1f, 0.72f, 0.4f, {252, 252, 250});
  const Rgb bars[3] = {{220, 50, 50}, {40, 110, 220}, {250, 180, 20}};
  for (int k = 0; k < 3; ++k) f.rect(c, 0.37f + 0.11f * k, 0.36f - 0.08f * (k + 1), 0.44f + 0.11f * k, 0.36f, bars[k]);
}

void open_book(Canvas& c, const Frame& f, Rng& rng) {
  const Point centre = {f.g.center_x, f.g.top_y + f.size(0.42f)};
  const float half = f.size(0.17f), tall = f.size(0.15f);
  const Rgb cover = jitter(rng.chance(0.5) ? Rgb{180, 30, 40} : Rgb{30, 70, 160}, rng, 10);
  c.rect(centre.x - half - 1, centre.y - tall / 2 - 1, centre.x + half + 1, centre.y + tall / 2 + 1.5f, cover);
  c.polygon({{centre.x - half, centre.y - tall / 2},
             {centre.x, centre.y - tall / 2 + 1.5f},
             {centre.x, centre.y + tall / 2},
             {centre.x - half, centre.y + tall / 2}},
            {250, 248, 238});
  c.polygon({{centre.x, centre.y - tall / 2 + 1.5f},
             {centre.x + half, centre.y - tall / 2},
             {centre.x + half, centre.y + tall / 2},
             {centre.x, centre.y + tall / 2}},
            {250, 248, 238});
  c.line({centre.x, centre.y - tall / 2 + 1}, {centre.x, centre.y + tall / 2}, 1, {150, 140, 120});
}

void boxes(Canvas& c, const Frame& f) {
  const float half = f.size(0.19f), tall = f.size(0.15f), x = f.g.center_x;
  for (int k = 0; k < 2; ++k) {
    const float bottom = f.g.top_y + f.size(0.62f) - k * tall;
    c.rect(x - half, bottom - tall, x + half, bottom, {150, 110, 60});
    c.rect(x - half + 1, bottom - tall + 1, x + half - 1, bottom - 1, {200, 155, 95});
    c.rect(x - f.size(0.03f), bottom - tall + 1, x + f.size(0.03f), bottom - 1, {225, 195, 140});  // tape
  }
}

}  // namespace

Pose activity_pose(Activity activity, const Staging& staging) {
  const FigureGeometry& g = staging.figure;
  const Frame f{g, staging.side};
  const float x = g.center_x, h = g.height, y0 = g.top_y;
  switch (activity) {
    case Activity::Cooking: return with_side_hand(g, f.side, f.at(0.34f, 0.47f));
    case Activity::WashingDishes: return with_side_hand(g, f.side, f.at(0.33f, 0.54f));
    case Activity::FixingCar: return with_side_hand(g, f.side, f.at(0.3f, 0.4f));
    case Activity::ChangingTyre: return with_side_hand(g, f.side, f.at(0.3f, 0.64f));
    case Activity::Typing: return with_side_hand(g, f.side, f.at(0.3f, 0.53f));
    case Activity::CarryingBoxes: return {{x - 0.19f * h, y0 + 0.52f * h}, {x + 0.19f * h, y0 + 0.52f * h}};
    case Activity::WalkingDog: return with_side_hand(g, f.side, f.at(0.26f, 0.58f));
    case Activity::PlayingFootball: return {{x - 0.3f * h, y0 + 0.38f * h}, {x + 0.3f * h, y0 + 0.38f * h}};
    case Activity::Teaching: return with_side_hand(g, f.side, f.at(0.28f, 0.12f));
    case Activity::Reading: return {{x - 0.15f * h, y0 + 0.5f * h}, {x + 0.15f * h, y0 + 0.5f * h}};
    case Activity::CuttingWood: return with_side_hand(g, f.side, f.at(0.3f, 0.52f));
    case Activity::Hammering: return with_side_hand(g, f.side, f.at(0.26f, 0.1f));
  }
  return resting_pose(g);
}

void draw_prop_behind(Canvas& canvas, Activity activity, const Staging& staging, Rng& rng) {
  const Frame f{staging.figure, staging.side};
  switch (activity) {
    case Activity::Cooking: return stove(canvas, f, rng);
    case Activity::WashingDishes: return sink(canvas, f, rng);
    case Activity::Typing: return laptop_table(canvas, f);
    case Activity::CuttingWood: return sawhorse(canvas, f);
    case Activity::Hammering: return crate(canvas, f);
    case Activity::PlayingFootball: return goal(canvas, f);
    case Activity::Teaching: return flip_chart(canvas, f);
    default: return;
  }
}

void draw_prop_in_front(Canvas& canvas, Activity activity, const Staging& staging, const Pose& pose, Rng& rng) {
  const Frame f{staging.figure, staging.side};
  const Point hand = side_hand(pose, f.side);
  const float s = float(f.side), h = f.g.height;
  const Rgb steel = {150, 155, 165}, handle = {125, 70, 32};
  switch (activity) {
    case Activity::Cooking:
      return canvas.line(hand, f.at(0.42f, 0.44f), f.size(0.02f) + 0.6f, handle);  // spoon in the pot
    case Activity::FixingCar: {
      const Point end = {hand.x + s * 0.1f * h, hand.y - 0.15f * h};
      canvas.line(hand, end, f.size(0.035f) + 0.5f, steel);
      canvas.circle(end.x, end.y, f.size(0.05f) + 0.5f, steel);
      canvas.circle(end.x, end.y, f.size(0.022f), {60, 60, 65});
      // A teal toolbox: no car in the garage has its colour.
      f.rect(canvas, 0.22f, 0.8f, 0.6f, 1.0f, jitter({20, 165, 160}, rng, 10));
      f.rect(canvas, 0.22f, 0.8f, 0.6f, 0.84f, {10, 90, 90});
      return;
    }
    case Activity::ChangingTyre: {
      const Point centre = f.at(0.4f, 0.82f);
      canvas.circle(centre.x, centre.y, f.size(0.18f), {22, 22, 24});
      canvas.circle(centre.x, centre.y, f.size(0.09f), {165, 168, 175});
      canvas.circle(centre.x, centre.y, f.size(0.03f), {70, 70, 75});
      return;
    }
    case Activity::CarryingBoxes: return boxes(canvas, f);
    case Activity::WalkingDog: return dog(canvas, f, pose, rng);
    case Activity::PlayingFootball: return football(canvas, f);
    case Activity::Teaching:
      return canvas.line(hand, {hand.x + s * 0.32f * h, hand.y - 0.2f * h}, std::max(1.2f, f.size(0.022f)),
                         {110, 62, 30});
    case Activity::Reading: return open_book(canvas, f, rng);
    case Activity::CuttingWood:
      canvas.polygon({{hand.x, hand.y - 0.03f * h},
                      {hand.x + s * 0.3f * h, hand.y + 0.03f * h},
                      {hand.x + s * 0.3f * h, hand.y + 0.08f * h},
                      {hand.x, hand.y + 0.05f * h}},
                     steel);
      return canvas.rect(hand.x - 0.04f * h, hand.y - 0.04f * h, hand.x + 0.04f * h, hand.y + 0.04f * h, handle);
    case Activity::Hammering:
      canvas.line({hand.x, hand.y + 0.05f * h}, {hand.x, hand.y - 0.14f * h}, f.size(0.035f) + 0.5f, handle);
      return canvas.rect(hand.x - 0.09f * h, hand.y - 0.19f * h, hand.x + 0.09f * h, hand.y - 0.12f * h, steel);
    default: return;
  }
}

}  // namespace loupe::synth
