// How far an exported SVG, as a browser draws it, is from the figure on screen: two PNGs of the same
// size (the app's 2x PNG export and headless Chromium's 2x screenshot of the SVG export), compared
// pixel by pixel. Prints the mean absolute difference, the share of pixels that differ clearly, and
// how much of each image's ink (pixels darker than near-white) lies within TOLERANCE pixels of the
// other's ink: shapes agree to the pixel, text differs by the fonts' rasterisers.
//   build/figure_compare SCREEN.png BROWSER.png [TOLERANCE=2]   (bench/svg_screen.sh runs it)
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/io/image.h"

namespace {

using loupe::io::Image;

std::vector<bool> ink(const Image& image) {
  std::vector<bool> mask(size_t(image.width) * size_t(image.height));
  for (size_t i = 0; i < mask.size(); ++i) {
    const uint8_t* p = &image.pixels[i * 3];
    mask[i] = p[0] < 235 || p[1] < 235 || p[2] < 235;
  }
  return mask;
}

// The share of `from`'s ink pixels with ink of `to` within `tolerance` pixels.
double ink_covered(const std::vector<bool>& from, const std::vector<bool>& to, int width, int height, int tolerance) {
  size_t inked = 0, covered = 0;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      if (!from[size_t(y) * size_t(width) + size_t(x)]) continue;
      ++inked;
      bool found = false;
      for (int dy = -tolerance; dy <= tolerance && !found; ++dy)
        for (int dx = -tolerance; dx <= tolerance && !found; ++dx) {
          const int u = x + dx, v = y + dy;
          found = u >= 0 && v >= 0 && u < width && v < height && to[size_t(v) * size_t(width) + size_t(u)];
        }
      covered += found;
    }
  return inked ? double(covered) / double(inked) : 1.0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: figure_compare SCREEN.png BROWSER.png [TOLERANCE]\n");
    return 2;
  }
  try {
    const Image a = loupe::io::load_image(argv[1]), b = loupe::io::load_image(argv[2]);
    if (a.width != b.width || a.height != b.height)
      throw loupe::InputError("the images differ in size: " + std::to_string(a.width) + " x " + std::to_string(a.height) + " and " +
                              std::to_string(b.width) + " x " + std::to_string(b.height));
    const int tolerance = argc > 3 ? std::atoi(argv[3]) : 2;
    double total = 0;
    size_t differing = 0;
    for (size_t i = 0; i < a.pixels.size(); i += 3) {
      int worst = 0;
      for (size_t c = 0; c < 3; ++c) {
        const int d = std::abs(int(a.pixels[i + c]) - int(b.pixels[i + c]));
        total += d;
        worst = std::max(worst, d);
      }
      differing += worst > 64;
    }
    const auto ink_a = ink(a), ink_b = ink(b);
    std::printf("%d x %d: mean absolute difference %.2f / 255; pixels differing by more than 64: %.2f%%\n", a.width, a.height,
                total / double(a.pixels.size()), 100.0 * double(differing) / double(a.pixels.size() / 3));
    std::printf("ink of the screen within %d px of the browser's: %.2f%%; the browser's within %d px of the screen's: %.2f%%\n",
                tolerance, 100 * ink_covered(ink_a, ink_b, a.width, a.height, tolerance), tolerance,
                100 * ink_covered(ink_b, ink_a, a.width, a.height, tolerance));
  } catch (const std::exception& error) {
    std::fprintf(stderr, "figure_compare: %s\n", error.what());
    return 1;
  }
  return 0;
}
