// Drawing primitives for the synthetic scenes: filled rectangles, ellipses, polygons and thick lines
// on an io::Image, in floating-point pixel coordinates (pixel (x, y) covers [x, x+1) x [y, y+1)).
// With anti-aliasing on, edge pixels are blended by their approximate coverage.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "core/io/image.h"
#include "core/synth/random.h"

namespace loupe::synth {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
};

struct Point {
  float x = 0, y = 0;
};

Rgb shade(Rgb colour, float factor);           // factor < 1 darkens, > 1 lightens (clamped)
Rgb mix(Rgb a, Rgb b, float t);                // a at t = 0, b at t = 1
Rgb jitter(Rgb colour, Rng& rng, int amount);  // each channel moved by up to +-amount

class Canvas {
 public:
  Canvas(int width, int height, Rgb background, bool antialias = true);

  int width() const { return image_.width; }
  int height() const { return image_.height; }
  const io::Image& image() const { return image_; }
  io::Image take_image() { return std::move(image_); }

  void rect(float x0, float y0, float x1, float y1, Rgb colour);
  void ellipse(float cx, float cy, float rx, float ry, Rgb colour);
  void circle(float cx, float cy, float radius, Rgb colour) { ellipse(cx, cy, radius, radius, colour); }
  void polygon(const std::vector<Point>& points, Rgb colour);  // any simple polygon (even-odd rule)
  void triangle(Point a, Point b, Point c, Rgb colour) { polygon({a, b, c}, colour); }
  void line(Point a, Point b, float width, Rgb colour);             // round caps
  void vertical_gradient(float y0, float y1, Rgb top, Rgb bottom);  // full-width band

  // Multiplies every pixel by `brightness`, adds `tint`, then adds triangular brightness noise of up
  // to +-amplitude (the same on all three channels, which keeps PNGs small and fast to encode).
  void finish(Rng& rng, float brightness, const int tint[3], int amplitude);

 private:
  void blend(int x, int y, Rgb colour, float coverage);
  io::Image image_;
  bool antialias_;
};

}  // namespace loupe::synth
