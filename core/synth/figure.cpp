#include "core/synth/figure.h"

#include <cstdlib>

namespace loupe::synth {

namespace {

const std::vector<Rgb> kSkinTones = {{255, 224, 196}, {241, 194, 150}, {224, 172, 105},
                                     {198, 134, 66},  {141, 85, 36},   {92, 58, 30}};
const std::vector<Rgb> kHairColours = {{22, 18, 16},   {62, 38, 22},  {112, 72, 36},
                                       {214, 174, 90}, {160, 64, 28}, {160, 160, 160}};
const std::vector<Rgb> kClothing = {{200, 40, 40},   {235, 130, 30}, {235, 205, 50},  {60, 150, 60},   {30, 140, 140},
                                    {50, 90, 200},   {30, 40, 100},  {120, 60, 160},  {230, 120, 170}, {120, 80, 50},
                                    {130, 130, 130}, {35, 35, 40},   {235, 235, 230}, {150, 30, 70}};
const std::vector<Rgb> kShoes = {{25, 25, 25}, {70, 45, 30}, {110, 110, 115}, {150, 40, 40}};

void draw_legs(Canvas& canvas, const FigureStyle& style, float from_y, float half_gap, float leg_width) {
  const float x = style.center_x, h = style.height;
  canvas.rect(x - half_gap - leg_width, from_y, x - half_gap, style.feet_y - 0.02f * h, style.bottom);
  canvas.rect(x + half_gap, from_y, x + half_gap + leg_width, style.feet_y - 0.02f * h, style.bottom);
  const float shoe_rx = leg_width * 0.8f + 0.02f * h, shoe_ry = 0.03f * h;
  canvas.ellipse(x - half_gap - leg_width * 0.6f, style.feet_y - shoe_ry, shoe_rx, shoe_ry, style.shoes);
  canvas.ellipse(x + half_gap + leg_width * 0.6f, style.feet_y - shoe_ry, shoe_rx, shoe_ry, style.shoes);
}

void draw_arms(Canvas& canvas, const FigureStyle& style, const FigureGeometry& g, const Pose& pose) {
  canvas.line(g.left_shoulder, pose.left_hand, g.arm_width, shade(style.top, 0.85f));
  canvas.line(g.right_shoulder, pose.right_hand, g.arm_width, shade(style.top, 0.85f));
  canvas.circle(pose.left_hand.x, pose.left_hand.y, g.hand_radius, style.skin);
  canvas.circle(pose.right_hand.x, pose.right_hand.y, g.hand_radius, style.skin);
}

void draw_eyes(Canvas& canvas, const FigureGeometry& g) {
  const float r = g.head_radius;
  const Rgb dark = {30, 25, 25};
  canvas.circle(g.head.x - 0.38f * r, g.head.y - 0.05f * r, 0.14f * r + 0.3f, dark);
  canvas.circle(g.head.x + 0.38f * r, g.head.y - 0.05f * r, 0.14f * r + 0.3f, dark);
}

void draw_woman(Canvas& canvas, const FigureStyle& style, const FigureGeometry& g, const Pose& pose) {
  const float x = g.center_x, y0 = g.top_y, h = g.height, r = g.head_radius;
  const float hem_y = y0 + 0.74f * h;
  draw_legs(canvas, style, hem_y - 0.02f * h, 0.035f * h, 0.05f * h);
  canvas.rect(x - 0.3f * r, g.head.y, x + 0.3f * r, g.left_shoulder.y + 0.02f * h, style.skin);  // neck
  canvas.polygon({{x - 0.13f * h, g.left_shoulder.y - 0.01f * h},
                  {x + 0.13f * h, g.left_shoulder.y - 0.01f * h},
                  {x + 0.085f * h, g.waist_y},
                  {x + 0.26f * h, hem_y},
                  {x - 0.26f * h, hem_y},
                  {x - 0.085f * h, g.waist_y}},
                 style.top);
  draw_arms(canvas, style, g, pose);
  // Long hair: a crown around the head and two strands falling over the shoulders.
  const float hair_bottom = y0 + 0.42f * h;
  canvas.circle(g.head.x, g.head.y - 0.05f * r, 1.22f * r, style.hair);
  canvas.rect(x - 1.45f * r, g.head.y, x - 0.55f * r, hair_bottom - 0.4f * r, style.hair);
  canvas.rect(x + 0.55f * r, g.head.y, x + 1.45f * r, hair_bottom - 0.4f * r, style.hair);
  canvas.ellipse(x - r, hair_bottom - 0.45f * r, 0.45f * r, 0.45f * r, style.hair);
  canvas.ellipse(x + r, hair_bottom - 0.45f * r, 0.45f * r, 0.45f * r, style.hair);
  canvas.ellipse(g.head.x, g.head.y + 0.1f * r, 0.82f * r, 0.92f * r, style.skin);
  canvas.ellipse(g.head.x, g.head.y - 0.62f * r, 0.85f * r, 0.38f * r, style.hair);  // fringe
  draw_eyes(canvas, g);
}

void draw_man(Canvas& canvas, const FigureStyle& style, const FigureGeometry& g, const Pose& pose) {
  const float x = g.center_x, h = g.height, r = g.head_radius;
  // Trousers: two legs joined at the hips, with a gap between them below the crotch.
  const float leg_top = g.waist_y - 0.02f * h, crotch = g.waist_y + 0.1f * h;
  canvas.polygon({{x - 0.13f * h, leg_top},
                  {x + 0.13f * h, leg_top},
                  {x + 0.125f * h, style.feet_y - 0.02f * h},
                  {x + 0.02f * h, style.feet_y - 0.02f * h},
                  {x, crotch},
                  {x - 0.02f * h, style.feet_y - 0.02f * h},
                  {x - 0.125f * h, style.feet_y - 0.02f * h}},
                 style.bottom);
  const float shoe_ry = 0.03f * h;
  canvas.ellipse(x - 0.08f * h, style.feet_y - shoe_ry, 0.07f * h, shoe_ry, style.shoes);
  canvas.ellipse(x + 0.08f * h, style.feet_y - shoe_ry, 0.07f * h, shoe_ry, style.shoes);
  canvas.rect(x - 0.45f * r, g.head.y, x + 0.45f * r, g.left_shoulder.y + 0.02f * h, style.skin);  // neck
  // Broad shoulders tapering to the waist.
  const float sy = g.left_shoulder.y;
  canvas.polygon({{x - 0.2f * h, sy}, {x + 0.2f * h, sy}, {x + 0.14f * h, g.waist_y}, {x - 0.14f * h, g.waist_y}},
                 style.top);
  canvas.circle(x - 0.18f * h, sy + 0.03f * h, 0.04f * h, style.top);
  canvas.circle(x + 0.18f * h, sy + 0.03f * h, 0.04f * h, style.top);
  canvas.rect(x - 0.14f * h, g.waist_y - 0.025f * h, x + 0.14f * h, g.waist_y, shade(style.shoes, 0.8f));  // belt
  draw_arms(canvas, style, g, pose);
  // Short hair: a cap on top of the head only.
  canvas.ellipse(g.head.x, g.head.y - 0.3f * r, 1.02f * r, 0.8f * r, style.hair);
  canvas.ellipse(g.head.x, g.head.y + 0.12f * r, 0.9f * r, 0.88f * r, style.skin);
  if (style.beard) canvas.ellipse(g.head.x, g.head.y + 0.55f * r, 0.78f * r, 0.5f * r, style.hair);
  draw_eyes(canvas, g);
}

void draw_person(Canvas& canvas, const FigureStyle& style, const FigureGeometry& g, const Pose& pose) {
  const float x = g.center_x, y0 = g.top_y, h = g.height, r = g.head_radius;
  const float coat_bottom = y0 + 0.8f * h;
  draw_legs(canvas, style, coat_bottom - 0.02f * h, 0.025f * h, 0.065f * h);
  const float sy = g.left_shoulder.y;
  canvas.polygon({{x - 0.16f * h, sy}, {x + 0.16f * h, sy}, {x + 0.17f * h, coat_bottom}, {x - 0.17f * h, coat_bottom}},
                 style.top);
  canvas.line({x, sy + 0.05f * h}, {x, coat_bottom}, 0.015f * h + 0.5f, shade(style.top, 0.7f));  // zip
  draw_arms(canvas, style, g, pose);
  // Hood: the coat's colour all around the face; no hair shows.
  canvas.circle(g.head.x, g.head.y + 0.05f * r, 1.38f * r, shade(style.top, 0.9f));
  canvas.ellipse(g.head.x, g.head.y + 0.18f * r, 0.78f * r, 0.82f * r, style.skin);
  draw_eyes(canvas, g);
}

}  // namespace

FigureStyle random_figure_style(Subject kind, float center_x, float feet_y, float height, Rng& rng) {
  FigureStyle style;
  style.kind = kind;
  style.center_x = center_x;
  style.feet_y = feet_y;
  style.height = height;
  style.skin = jitter(rng.pick(kSkinTones), rng, 8);
  style.hair = jitter(rng.pick(kHairColours), rng, 8);
  style.top = jitter(rng.pick(kClothing), rng, 12);
  do {
    style.bottom = jitter(rng.pick(kClothing), rng, 12);
  } while (std::abs(style.bottom.r - style.top.r) + std::abs(style.bottom.g - style.top.g) +
               std::abs(style.bottom.b - style.top.b) <
           90);
  if (kind == Subject::Woman && rng.chance(0.6)) style.bottom = shade(style.skin, 0.95f);  // bare legs
  style.shoes = jitter(rng.pick(kShoes), rng, 8);
  style.beard = kind == Subject::Man && rng.chance(0.5);
  return style;
}

FigureGeometry figure_geometry(const FigureStyle& style) {
  FigureGeometry g;
  const float h = style.height;
  g.center_x = style.center_x;
  g.feet_y = style.feet_y;
  g.height = h;
  g.top_y = style.feet_y - h;
  g.head_radius = 0.085f * h;
  g.head = {style.center_x, g.top_y + g.head_radius + 0.01f * h};
  const float shoulder_half = style.kind == Subject::Man ? 0.19f : style.kind == Subject::Woman ? 0.12f : 0.15f;
  g.left_shoulder = {style.center_x - shoulder_half * h, g.top_y + 0.25f * h};
  g.right_shoulder = {style.center_x + shoulder_half * h, g.top_y + 0.25f * h};
  g.waist_y = g.top_y + (style.kind == Subject::Woman ? 0.42f : 0.55f) * h;
  g.arm_width = 0.07f * h;
  g.hand_radius = 0.042f * h;
  return g;
}

Pose resting_pose(const FigureGeometry& g) {
  const float h = g.height;
  return {{g.left_shoulder.x - 0.05f * h, g.top_y + 0.56f * h}, {g.right_shoulder.x + 0.05f * h, g.top_y + 0.56f * h}};
}

void draw_figure(Canvas& canvas, const FigureStyle& style, const FigureGeometry& geometry, const Pose& pose) {
  switch (style.kind) {
    case Subject::Woman: return draw_woman(canvas, style, geometry, pose);
    case Subject::Man: return draw_man(canvas, style, geometry, pose);
    case Subject::Person: return draw_person(canvas, style, geometry, pose);
  }
}

}  // namespace loupe::synth
