#include "core/synth/scenes.h"

#include <algorithm>

namespace loupe::synth {

namespace {

// A panel with a darker border, like a cabinet door or a frame.
void framed_rect(Canvas& c, float x0, float y0, float x1, float y1, Rgb fill, float border) {
  c.rect(x0, y0, x1, y1, shade(fill, 0.7f));
  c.rect(x0 + border, y0 + border, x1 - border, y1 - border, fill);
}

float draw_kitchen(Canvas& c, Rng& rng) {
  const float w = float(c.width()), h = float(c.height()), horizon = float(rng.uniform(74, 84));
  const Rgb wall = jitter({240, 230, 182}, rng, 10);
  c.rect(0, 0, w, horizon, wall);
  for (float y = 38; y < horizon; y += 8) c.rect(0, y, w, y + 1, shade(wall, 0.86f));  // tiles
  for (float x = 4; x < w; x += 8) c.rect(x, 38, x + 1, horizon, shade(wall, 0.86f));
  const float tile = float(rng.uniform(11, 16));
  const Rgb light = jitter({236, 236, 230}, rng, 8), dark = jitter({45, 45, 52}, rng, 8);
  for (int row = 0; horizon + row * tile < h; ++row)
    for (int col = 0; col * tile < w; ++col)
      c.rect(col * tile, horizon + row * tile, (col + 1) * tile, horizon + (row + 1) * tile,
             (row + col) % 2 ? light : dark);
  const Rgb wood = jitter({170, 108, 56}, rng, 12);
  for (float x = 0; x < w; x += 26) {
    framed_rect(c, x + 1, 3, x + 25, 32, wood, 2);
    c.rect(x + 18, 22, x + 21, 28, {215, 215, 220});  // handle
  }
  const bool fridge_left = rng.chance(0.5);
  const float fridge_x = fridge_left ? 3.0f : w - 31;
  c.rect(0, horizon - 28, w, horizon + 6, wood);                              // base cabinets
  c.rect(0, horizon - 30, w, horizon - 25, jitter({200, 200, 205}, rng, 8));  // worktop
  framed_rect(c, fridge_x, 10, fridge_x + 28, horizon + 12, {228, 232, 236}, 1.5f);
  c.rect(fridge_x + 1.5f, 34, fridge_x + 26.5f, 35.5f, {150, 155, 160});
  c.rect(fridge_x + 22, 20, fridge_x + 24, 30, {150, 155, 160});
  const float stove_x = fridge_left ? float(rng.uniform(40, 92)) : float(rng.uniform(4, 60));
  framed_rect(c, stove_x, horizon - 30, stove_x + 30, horizon + 6, {238, 238, 240}, 1.5f);
  c.rect(stove_x + 5, horizon - 18, stove_x + 25, horizon - 2, {30, 30, 35});  // oven window
  const Rgb pot = jitter(rng.chance(0.5) ? Rgb{200, 40, 35} : Rgb{160, 165, 175}, rng, 10);
  c.rect(stove_x + 4, horizon - 42, stove_x + 22, horizon - 30, pot);
  c.rect(stove_x + 2, horizon - 43, stove_x + 24, horizon - 40, shade(pot, 0.75f));
  return horizon;
}

void draw_car(Canvas& c, float x0, float bottom, float length, Rgb body) {
  const Rgb glass = {170, 215, 240}, tyre = {20, 20, 22}, hub = {175, 175, 180};
  c.polygon({{x0 + 0.24f * length, bottom - 20},
             {x0 + 0.34f * length, bottom - 34},
             {x0 + 0.7f * length, bottom - 34},
             {x0 + 0.82f * length, bottom - 20}},
            body);
  c.polygon({{x0 + 0.3f * length, bottom - 21},
             {x0 + 0.37f * length, bottom - 31},
             {x0 + 0.5f * length, bottom - 31},
             {x0 + 0.5f * length, bottom - 21}},
            glass);
  c.polygon({{x0 + 0.53f * length, bottom - 21},
             {x0 + 0.53f * length, bottom - 31},
             {x0 + 0.68f * length, bottom - 31},
             {x0 + 0.76f * length, bottom - 21}},
            glass);
  c.rect(x0 + 4, bottom - 21, x0 + length - 4, bottom - 6, body);
  c.circle(x0 + 5, bottom - 13.5f, 7.5f, body);
  c.circle(x0 + length - 5, bottom - 13.5f, 7.5f, body);
  c.rect(x0 + length - 5, bottom - 18, x0 + length - 1, bottom - 14, {250, 230, 120});  // headlight
  for (float wheel : {x0 + 0.2f * length, x0 + 0.8f * length}) {
    c.circle(wheel, bottom - 8, 8.5f, tyre);
    c.circle(wheel, bottom - 8, 3.8f, hub);
  }
}

float draw_garage(Canvas& c, Rng& rng) {
  const float w = float(c.width()), h = float(c.height()), horizon = float(rng.uniform(70, 80));
  const Rgb wall = jitter({152, 152, 158}, rng, 10);
  c.rect(0, 0, w, horizon, wall);
  for (int row = 0; row * 8 < horizon; ++row) {
    c.rect(0, row * 8.0f, w, row * 8.0f + 1, shade(wall, 0.8f));
    for (float x = (row % 2) * 8.0f; x < w; x += 16) c.rect(x, row * 8.0f, x + 1, row * 8.0f + 8, shade(wall, 0.8f));
  }
  const float door_x = rng.chance(0.5) ? float(rng.uniform(2, 14)) : float(rng.uniform(66, 78));
  c.rect(door_x, 10, door_x + 48, horizon, jitter({205, 205, 210}, rng, 8));
  for (float y = 14; y < horizon; y += 6) c.rect(door_x, y, door_x + 48, y + 1.5f, {150, 150, 158});
  c.rect(36, 1, 92, 5, {250, 250, 240});  // strip light
  c.rect(0, horizon, w, h, jitter({84, 84, 90}, rng, 8));
  for (int i = 0; i < 2; ++i)
    c.ellipse(float(rng.uniform(10, 118)), float(rng.uniform(horizon + 8, h - 6)), 9, 3, {45, 45, 50});
  const std::vector<Rgb> car_colours = {{205, 35, 35}, {40, 80, 200}, {235, 195, 40}, {40, 150, 70}, {245, 245, 245}};
  const float length = float(rng.uniform(76, 92));
  draw_car(c, float(rng.uniform(-12, w - length + 12)), horizon + float(rng.uniform(16, 26)), length,
           jitter(rng.pick(car_colours), rng, 12));
  return horizon;
}

float draw_office(Canvas& c, Rng& rng) {
  const float w = float(c.width()), h = float(c.height()), horizon = float(rng.uniform(72, 82));
  const Rgb wall = jitter({198, 212, 230}, rng, 10);
  c.rect(0, 0, w, horizon, wall);
  const Rgb carpet = jitter({68, 86, 132}, rng, 10);
  c.rect(0, horizon, w, h, carpet);
  for (float y = horizon + 4; y < h; y += 6) c.rect(0, y, w, y + 1, shade(carpet, 0.88f));
  const bool window_left = rng.chance(0.5);
  const float window_x = window_left ? float(rng.uniform(4, 14)) : float(rng.uniform(74, 84));
  framed_rect(c, window_x, 8, window_x + 40, 46, {240, 240, 240}, 2);
  c.rect(window_x + 2, 10, window_x + 38, 44, {165, 208, 240});
  for (float y = 12; y < 44; y += 4) c.rect(window_x + 2, y, window_x + 38, y + 1.5f, {235, 238, 242});  // blinds
  const float clock_x = window_left ? float(rng.uniform(66, 110)) : float(rng.uniform(14, 56));
  c.circle(clock_x, 18, 7, {40, 40, 45});
  c.circle(clock_x, 18, 5.8f, {250, 250, 250});
  c.line({clock_x, 18}, {clock_x, 14}, 1, {30, 30, 30});
  c.line({clock_x, 18}, {clock_x + 3, 18}, 1, {30, 30, 30});
  const float desk_x = window_left ? float(rng.uniform(56, 74)) : float(rng.uniform(2, 20));
  const Rgb desk = jitter(rng.chance(0.5) ? Rgb{190, 150, 100} : Rgb{235, 235, 235}, rng, 8);
  c.rect(desk_x + 3, horizon - 4, desk_x + 6, horizon + 18, {110, 110, 118});
  c.rect(desk_x + 46, horizon - 4, desk_x + 49, horizon + 18, {110, 110, 118});
  c.rect(desk_x, horizon - 8, desk_x + 52, horizon - 3, desk);
  c.rect(desk_x + 23, horizon - 14, desk_x + 27, horizon - 8, {40, 40, 45});
  c.rect(desk_x + 11, horizon - 34, desk_x + 39, horizon - 13, {30, 30, 35});  // monitor
  c.rect(desk_x + 13, horizon - 32, desk_x + 37, horizon - 15, jitter({70, 150, 235}, rng, 12));
  const float cabinet_x = window_left ? 2.0f : w - 24;
  framed_rect(c, cabinet_x, horizon - 30, cabinet_x + 22, horizon + 10, {150, 155, 165}, 1.5f);
  for (float y = horizon - 18; y < horizon + 10; y += 12)
    c.rect(cabinet_x + 1, y, cabinet_x + 21, y + 1.2f, {100, 104, 112});
  return horizon;
}

float draw_park(Canvas& c, Rng& rng) {
  const float w = float(c.width()), h = float(c.height()), horizon = float(rng.uniform(62, 76));
  c.vertical_gradient(0, horizon, jitter({100, 165, 235}, rng, 10), jitter({190, 222, 250}, rng, 8));
  c.circle(float(rng.uniform(10, 118)), float(rng.uniform(8, 18)), 7, {255, 225, 70});
  for (int i = 0; i < 2; ++i) {
    const float cx = float(rng.uniform(10, 118)), cy = float(rng.uniform(12, 30));
    c.ellipse(cx, cy, 10, 4.5f, {250, 250, 252});
    c.ellipse(cx + 6, cy - 3, 6, 4, {250, 250, 252});
  }
  const Rgb grass = jitter({82, 168, 68}, rng, 10);
  c.vertical_gradient(horizon, h, grass, shade(grass, 0.8f));
  for (int i = 0; i < 40; ++i) {
    const float x = float(rng.uniform(0, w)), y = float(rng.uniform(horizon + 3, h));
    c.line({x, y}, {x + 1, y - 3}, 1, shade(grass, 0.7f));
  }
  const int trees = rng.uniform_int(2, 3);
  for (int i = 0; i < trees; ++i) {
    const float x = (i + 0.5f) * w / trees + float(rng.uniform(-10, 10));
    const float base = horizon + float(rng.uniform(2, 10)), crown = base - float(rng.uniform(30, 40));
    c.rect(x - 3, crown, x + 3, base, {110, 72, 40});
    const Rgb leaves = jitter({38, 118, 44}, rng, 12);
    c.circle(x, crown, 13, leaves);
    c.circle(x - 10, crown + 6, 9, shade(leaves, 0.9f));
    c.circle(x + 10, crown + 6, 9, shade(leaves, 1.1f));
  }
  const std::vector<Rgb> flowers = {{240, 70, 70}, {250, 240, 90}, {250, 250, 250}, {200, 90, 220}};
  for (int i = 0; i < 8; ++i)
    c.circle(float(rng.uniform(0, w)), float(rng.uniform(horizon + 6, h)), 1.5f, rng.pick(flowers));
  return horizon;
}

float draw_classroom(Canvas& c, Rng& rng) {
  const float w = float(c.width()), h = float(c.height()), horizon = float(rng.uniform(76, 84));
  c.rect(0, 0, w, horizon, jitter({198, 226, 208}, rng, 10));
  const std::vector<Rgb> cards = {{230, 60, 60}, {250, 200, 40}, {60, 130, 220}, {80, 180, 80}};
  for (float x = 4; x < w - 4; x += 10) c.rect(x, 2, x + 8, 7, cards[size_t(x / 10) % cards.size()]);  // letters strip
  const float board_x0 = float(rng.uniform(6, 16)), board_x1 = w - float(rng.uniform(6, 16));
  c.rect(board_x0 - 3, 10, board_x1 + 3, 54, {150, 100, 55});
  c.rect(board_x0, 13, board_x1, 51, jitter({34, 78, 54}, rng, 8));
  for (float y = 19; y < 46; y += 7) {
    float x = board_x0 + 5 + float(rng.uniform(0, 6));
    while (x < board_x1 - 10) {
      const float length = float(rng.uniform(4, 14));
      c.rect(x, y, std::min(x + length, board_x1 - 5), y + 1.5f, {235, 240, 235});  // chalk
      x += length + float(rng.uniform(3, 6));
    }
  }
  c.rect(board_x0, 54, board_x1, 56, {150, 100, 55});  // chalk tray
  const Rgb floor = jitter({192, 142, 88}, rng, 10);
  c.rect(0, horizon, w, h, floor);
  for (float y = horizon + 5; y < h; y += 6) c.rect(0, y, w, y + 1, shade(floor, 0.8f));
  const Rgb desk = jitter({215, 175, 120}, rng, 8),
            chair = jitter(rng.chance(0.5) ? Rgb{60, 110, 200} : Rgb{230, 120, 40}, rng, 10);
  for (float x : {float(rng.uniform(0, 10)), float(rng.uniform(96, 106))}) {
    const float top = horizon + float(rng.uniform(10, 20));
    c.rect(x + 2, top, x + 4, top + 16, {120, 120, 125});
    c.rect(x + 20, top, x + 22, top + 16, {120, 120, 125});
    c.rect(x, top - 3, x + 24, top + 1, desk);
    c.rect(x + 6, top + 6, x + 18, top + 9, chair);
  }
  return horizon;
}

float draw_workshop(Canvas& c, Rng& rng) {
  const float w = float(c.width()), h = float(c.height()), horizon = float(rng.uniform(74, 84));
  const Rgb plank = jitter({150, 98, 58}, rng, 10);
  for (float x = 0; x < w; x += 10) {
    c.rect(x, 0, x + 10, horizon, int(x / 10) % 2 ? plank : shade(plank, 0.9f));
    c.rect(x, 0, x + 1, horizon, shade(plank, 0.65f));
  }
  const float board_x = float(rng.uniform(8, 64));
  c.rect(board_x, 8, board_x + 56, 44, jitter({208, 168, 118}, rng, 8));
  for (float y = 11; y < 43; y += 5)
    for (float x = board_x + 3; x < board_x + 55; x += 5) c.rect(x, y, x + 1, y + 1, {120, 90, 60});
  const Rgb steel = {120, 125, 135}, handle = {120, 60, 30};
  c.line({board_x + 8, 14}, {board_x + 8, 36}, 2.5f, handle);  // hammer
  c.rect(board_x + 3, 12, board_x + 13, 17, steel);
  c.polygon({{board_x + 18, 13}, {board_x + 36, 13}, {board_x + 36, 22}, {board_x + 18, 36}}, steel);  // saw
  c.rect(board_x + 34, 12, board_x + 40, 24, handle);
  c.line({board_x + 46, 14}, {board_x + 46, 36}, 2.5f, steel);  // wrench
  c.circle(board_x + 46, 14, 3.5f, steel);
  c.circle(board_x + 46, 14, 1.5f, {208, 168, 118});
  c.line({board_x + 52, 28}, {board_x + 52, 40}, 1.5f, steel);  // screwdriver
  c.rect(board_x + 50, 20, board_x + 54, 28, {210, 40, 40});
  const Rgb floor = jitter({202, 178, 132}, rng, 8);
  c.rect(0, horizon, w, h, floor);
  for (int i = 0; i < 30; ++i)
    c.circle(float(rng.uniform(0, w)), float(rng.uniform(horizon + 2, h)), 1, shade(floor, 1.12f));
  const float bench_x = rng.chance(0.5) ? float(rng.uniform(-10, 10)) : float(rng.uniform(60, 80));
  const Rgb bench = jitter({112, 70, 36}, rng, 8);
  c.rect(bench_x + 4, horizon - 6, bench_x + 9, horizon + 18, shade(bench, 0.8f));
  c.rect(bench_x + 51, horizon - 6, bench_x + 56, horizon + 18, shade(bench, 0.8f));
  c.rect(bench_x, horizon - 12, bench_x + 60, horizon - 5, bench);
  c.rect(bench_x + 44, horizon - 20, bench_x + 54, horizon - 12, {90, 95, 105});  // vice
  return horizon;
}

}  // namespace

float draw_scene(Canvas& canvas, Scene scene, Rng& rng) {
  switch (scene) {
    case Scene::Kitchen: return draw_kitchen(canvas, rng);
    case Scene::Garage: return draw_garage(canvas, rng);
    case Scene::Office: return draw_office(canvas, rng);
    case Scene::Park: return draw_park(canvas, rng);
    case Scene::Classroom: return draw_classroom(canvas, rng);
    case Scene::Workshop: return draw_workshop(canvas, rng);
  }
  return float(canvas.height()) / 2;
}

}  // namespace loupe::synth
