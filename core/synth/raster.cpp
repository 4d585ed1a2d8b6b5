#include "core/synth/raster.h"

#include <algorithm>
#include <cmath>

namespace loupe::synth {

namespace {
uint8_t clamp_channel(float value) { return uint8_t(std::clamp(std::lround(value), 0L, 255L)); }
float clamp01(float value) { return std::clamp(value, 0.0f, 1.0f); }
// Length of the overlap of the pixel span [p, p + 1) with [lo, hi).
float span_overlap(int p, float lo, float hi) { return clamp01(std::min(hi, p + 1.0f) - std::max(lo, float(p))); }
}  // namespace

Rgb shade(Rgb colour, float factor) {
  return {clamp_channel(colour.r * factor), clamp_channel(colour.g * factor), clamp_channel(colour.b * factor)};
}

Rgb mix(Rgb a, Rgb b, float t) {
  return {clamp_channel(a.r + (b.r - a.r) * t), clamp_channel(a.g + (b.g - a.g) * t),
          clamp_channel(a.b + (b.b - a.b) * t)};
}

Rgb jitter(Rgb colour, Rng& rng, int amount) {
  return {clamp_channel(float(colour.r + rng.uniform_int(-amount, amount))),
          clamp_channel(float(colour.g + rng.uniform_int(-amount, amount))),
          clamp_channel(float(colour.b + rng.uniform_int(-amount, amount)))};
}

Canvas::Canvas(int width, int height, Rgb background, bool antialias) : antialias_(antialias) {
  image_.width = width;
  image_.height = height;
  image_.pixels.resize(size_t(width) * height * 3);
  for (size_t i = 0; i < image_.pixels.size(); i += 3) {
    image_.pixels[i] = background.r;
    image_.pixels[i + 1] = background.g;
    image_.pixels[i + 2] = background.b;
  }
}

void Canvas::blend(int x, int y, Rgb colour, float coverage) {
  if (x < 0 || y < 0 || x >= image_.width || y >= image_.height || coverage <= 0) return;
  uint8_t* pixel = &image_.pixels[(size_t(y) * image_.width + x) * 3];
  if (coverage >= 1) {
    pixel[0] = colour.r, pixel[1] = colour.g, pixel[2] = colour.b;
    return;
  }
  pixel[0] = clamp_channel(pixel[0] + (colour.r - pixel[0]) * coverage);
  pixel[1] = clamp_channel(pixel[1] + (colour.g - pixel[1]) * coverage);
  pixel[2] = clamp_channel(pixel[2] + (colour.b - pixel[2]) * coverage);
}

void Canvas::rect(float x0, float y0, float x1, float y1, Rgb colour) {
  if (x1 < x0) std::swap(x0, x1);
  if (y1 < y0) std::swap(y0, y1);
  const int left = std::max(0, int(std::floor(x0))), right = std::min(width() - 1, int(std::ceil(x1)) - 1);
  const int top = std::max(0, int(std::floor(y0))), bottom = std::min(height() - 1, int(std::ceil(y1)) - 1);
  for (int y = top; y <= bottom; ++y) {
    const float cover_y = antialias_ ? span_overlap(y, y0, y1) : float(y + 0.5f >= y0 && y + 0.5f < y1);
    for (int x = left; x <= right; ++x) {
      const float cover_x = antialias_ ? span_overlap(x, x0, x1) : float(x + 0.5f >= x0 && x + 0.5f < x1);
      blend(x, y, colour, cover_x * cover_y);
    }
  }
}

void Canvas::ellipse(float cx, float cy, float rx, float ry, Rgb colour) {
  if (rx <= 0 || ry <= 0) return;
  const int left = std::max(0, int(std::floor(cx - rx - 1))),
            right = std::min(width() - 1, int(std::ceil(cx + rx + 1)));
  const int top = std::max(0, int(std::floor(cy - ry - 1))),
            bottom = std::min(height() - 1, int(std::ceil(cy + ry + 1)));
  const float irx2 = 1 / (rx * rx), iry2 = 1 / (ry * ry);
  for (int y = top; y <= bottom; ++y) {
    const float dy = y + 0.5f - cy;
    for (int x = left; x <= right; ++x) {
      const float dx = x + 0.5f - cx;
      const float field = dx * dx * irx2 + dy * dy * iry2 - 1;
      if (!antialias_) {
        if (field <= 0) blend(x, y, colour, 1);
        continue;
      }
      // Signed distance to the boundary, to first order: field / |gradient of field|.
      const float gradient = 2 * std::sqrt(dx * dx * irx2 * irx2 + dy * dy * iry2 * iry2);
      const float distance = gradient > 1e-6f ? field / gradient : -1.0f;
      blend(x, y, colour, clamp01(0.5f - distance));
    }
  }
}

void Canvas::polygon(const std::vector<Point>& points, Rgb colour) {
  if (points.size() < 3) return;
  float min_x = points[0].x, max_x = points[0].x, min_y = points[0].y, max_y = points[0].y;
  for (const Point& p : points) {
    min_x = std::min(min_x, p.x), max_x = std::max(max_x, p.x);
    min_y = std::min(min_y, p.y), max_y = std::max(max_y, p.y);
  }
  const int left = std::max(0, int(std::floor(min_x))), right = std::min(width() - 1, int(std::ceil(max_x)));
  const int top = std::max(0, int(std::floor(min_y))), bottom = std::min(height() - 1, int(std::ceil(max_y)));
  if (left > right || top > bottom) return;
  // Scanline fill, sampled on a 2x2 grid per pixel when anti-aliasing (one centre sample otherwise).
  const std::vector<float> offsets = antialias_ ? std::vector<float>{0.25f, 0.75f} : std::vector<float>{0.5f};
  const float sample_weight = 1.0f / float(offsets.size() * offsets.size());
  std::vector<float> coverage(size_t(right - left + 1));
  std::vector<float> crossings;
  for (int y = top; y <= bottom; ++y) {
    std::fill(coverage.begin(), coverage.end(), 0.0f);
    for (float oy : offsets) {
      const float sy = y + oy;
      crossings.clear();
      for (size_t i = 0; i < points.size(); ++i) {
        const Point& a = points[i];
        const Point& b = points[(i + 1) % points.size()];
        if ((a.y > sy) != (b.y > sy)) crossings.push_back(a.x + (sy - a.y) * (b.x - a.x) / (b.y - a.y));
      }
      std::sort(crossings.begin(), crossings.end());
      for (size_t i = 0; i + 1 < crossings.size(); i += 2) {
        for (int x = left; x <= right; ++x) {
          for (float ox : offsets) {
            const float sx = x + ox;
            if (sx >= crossings[i] && sx < crossings[i + 1]) coverage[size_t(x - left)] += sample_weight;
          }
        }
      }
    }
    for (int x = left; x <= right; ++x) blend(x, y, colour, coverage[size_t(x - left)]);
  }
}

void Canvas::line(Point a, Point b, float width, Rgb colour) {
  const float half = width / 2;
  const int left = std::max(0, int(std::floor(std::min(a.x, b.x) - half - 1)));
  const int right = std::min(this->width() - 1, int(std::ceil(std::max(a.x, b.x) + half + 1)));
  const int top = std::max(0, int(std::floor(std::min(a.y, b.y) - half - 1)));
  const int bottom = std::min(height() - 1, int(std::ceil(std::max(a.y, b.y) + half + 1)));
  const float vx = b.x - a.x, vy = b.y - a.y;
  const float length2 = vx * vx + vy * vy;
  for (int y = top; y <= bottom; ++y) {
    for (int x = left; x <= right; ++x) {
      const float px = x + 0.5f - a.x, py = y + 0.5f - a.y;
      const float t = length2 > 0 ? clamp01((px * vx + py * vy) / length2) : 0.0f;
      const float distance = std::hypot(px - t * vx, py - t * vy);
      blend(x, y, colour, antialias_ ? clamp01(half - distance + 0.5f) : float(distance <= half));
    }
  }
}

void Canvas::vertical_gradient(float y0, float y1, Rgb top, Rgb bottom) {
  for (int y = std::max(0, int(std::floor(y0))); y < std::min(height(), int(std::ceil(y1))); ++y) {
    const Rgb colour = mix(top, bottom, y1 > y0 ? (y + 0.5f - y0) / (y1 - y0) : 0.0f);
    rect(0, std::max(y0, float(y)), float(width()), std::min(y1, y + 1.0f), colour);
  }
}

void Canvas::finish(Rng& rng, float brightness, const int tint[3], int amplitude) {
  std::vector<uint8_t>& pixels = image_.pixels;
  for (size_t i = 0; i < pixels.size(); i += 3) {
    const uint64_t bits = rng.next();
    const int triangular = int(bits & 0xFF) + int((bits >> 8) & 0xFF) - 255;  // in [-255, 255]
    const int noise = triangular * amplitude / 255;
    for (int c = 0; c < 3; ++c) pixels[i + c] = clamp_channel(pixels[i + c] * brightness + float(tint[c] + noise));
  }
}

}  // namespace loupe::synth
