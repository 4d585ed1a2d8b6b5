// Pillow's Image.resize for 8-bit RGB (libImaging/Resample.c), reproduced bit for bit, and the
// variant PyTorch's antialiased uint8 interpolate computes (the torchvision path of transformers).
//
// Each axis is a 1-D convolution. Output sample i is centred on input coordinate (i + 0.5)·scale,
// where scale = in/out; when shrinking, the filter is stretched by the scale (antialiasing). The
// weights of one output sample are normalised to sum 1, then turned into fixed point. The
// horizontal pass runs first and is rounded back to uint8; the vertical pass reads those rounded
// values. The two engines differ only in the fixed point: Pillow keeps 22 fractional bits; PyTorch
// stores int16 weights and keeps as many fractional bits as the axis's largest weight allows
// (about 15), which moves about one pixel in 500 by one level.
#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/io/image.h"

namespace loupe::io {

namespace {

constexpr int kPillowPrecisionBits = 32 - 8 - 2;  // 8 bits of value, 2 of headroom for overshoot

// PyTorch's rule: the most fractional bits (at most 22) for which the largest weight, rounded with
// one more bit, still fits in int16.
int torch_precision_bits(double largest_weight) {
  int bits = 0;
  while (bits < 22 && int(0.5 + largest_weight * (1 << (bits + 1))) < (1 << 15)) ++bits;
  return bits;
}

double bilinear_weight(double x) {
  if (x < 0.0) x = -x;
  if (x < 1.0) return 1.0 - x;
  return 0.0;
}

// Keys' cubic convolution with a = -0.5, written as Pillow writes it so the doubles round alike.
double bicubic_weight(double x) {
  constexpr double a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

// For every output sample: the first input sample it reads, how many it reads, and their
// fixed-point weights with `precision_bits` fractional bits (row `i` of `weights`, `stride` per row).
struct Kernel {
  int stride = 0;
  int precision_bits = 0;
  std::vector<int> first;
  std::vector<int> count;
  std::vector<int32_t> weights;
};

Kernel make_kernel(int in_size, int out_size, ResampleFilter filter, ResampleArithmetic arithmetic) {
  const bool bilinear = filter == ResampleFilter::Bilinear;
  const double scale = double(in_size) / out_size;
  const double filter_scale = std::max(scale, 1.0);
  const double inverse_scale = 1.0 / filter_scale;
  const double support = (bilinear ? 1.0 : 2.0) * filter_scale;

  Kernel kernel;
  kernel.stride = int(std::ceil(support)) * 2 + 1;
  kernel.first.resize(out_size);
  kernel.count.resize(out_size);
  std::vector<double> weights(size_t(out_size) * kernel.stride, 0.0);
  double largest = 0.0;
  for (int i = 0; i < out_size; ++i) {
    const double center = (i + 0.5) * scale;
    const int first = std::max(int(center - support + 0.5), 0);
    const int count = std::min(int(center + support + 0.5), in_size) - first;
    double* taps = &weights[size_t(i) * kernel.stride];
    double total = 0.0;
    for (int t = 0; t < count; ++t) {
      const double x = (t + first - center + 0.5) * inverse_scale;
      taps[t] = bilinear ? bilinear_weight(x) : bicubic_weight(x);
      total += taps[t];
    }
    for (int t = 0; t < count && total != 0.0; ++t) {
      taps[t] /= total;
      largest = std::max(largest, taps[t]);
    }
    kernel.first[i] = first;
    kernel.count[i] = count;
  }

  kernel.precision_bits =
      arithmetic == ResampleArithmetic::Pillow ? kPillowPrecisionBits : torch_precision_bits(largest);
  kernel.weights.resize(weights.size());
  for (size_t k = 0; k < weights.size(); ++k) {
    const double w = weights[k] * (1 << kernel.precision_bits);
    kernel.weights[k] = int32_t(w < 0 ? w - 0.5 : w + 0.5);
  }
  return kernel;
}

// A fixed-point sum started at one half, back to uint8 (overshoot clipped).
uint8_t to_uint8(int32_t sum, int precision_bits) {
  return uint8_t(std::clamp(sum >> precision_bits, 0, 255));
}

// Resamples each of `rows` RGB rows of width `in_width` to the kernel's output width.
void horizontal_pass(const uint8_t* in, int in_width, int rows, const Kernel& kernel, uint8_t* out) {
  const int out_width = int(kernel.first.size());
  const int32_t half = 1 << (kernel.precision_bits - 1);
  for (int y = 0; y < rows; ++y) {
    const uint8_t* row = in + size_t(y) * in_width * 3;
    for (int x = 0; x < out_width; ++x, out += 3) {
      const int32_t* weights = &kernel.weights[size_t(x) * kernel.stride];
      const uint8_t* source = row + size_t(kernel.first[x]) * 3;
      int32_t r = half, g = half, b = half;
      for (int t = 0; t < kernel.count[x]; ++t, source += 3) {
        r += source[0] * weights[t];
        g += source[1] * weights[t];
        b += source[2] * weights[t];
      }
      out[0] = to_uint8(r, kernel.precision_bits);
      out[1] = to_uint8(g, kernel.precision_bits);
      out[2] = to_uint8(b, kernel.precision_bits);
    }
  }
}

// Resamples columns: output row y mixes input rows first[y] - row_offset onwards. Whole rows are
// accumulated at once so that memory is read in order.
void vertical_pass(const uint8_t* in, int width, int row_offset, const Kernel& kernel, uint8_t* out) {
  const int out_height = int(kernel.first.size());
  const size_t row_bytes = size_t(width) * 3;
  const int32_t half = 1 << (kernel.precision_bits - 1);
  std::vector<int32_t> sums(row_bytes);
  for (int y = 0; y < out_height; ++y) {
    const int32_t* weights = &kernel.weights[size_t(y) * kernel.stride];
    const uint8_t* row = in + size_t(kernel.first[y] - row_offset) * row_bytes;
    std::fill(sums.begin(), sums.end(), half);
    for (int t = 0; t < kernel.count[y]; ++t, row += row_bytes)
      for (size_t i = 0; i < row_bytes; ++i) sums[i] += row[i] * weights[t];
    for (size_t i = 0; i < row_bytes; ++i) *out++ = to_uint8(sums[i], kernel.precision_bits);
  }
}

void check_image(const Image& image, const char* operation) {
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != size_t(image.width) * image.height * 3)
    throw InputError(std::string(operation) + ": the image is empty or its pixel buffer does not match " +
                     std::to_string(image.width) + "x" + std::to_string(image.height) + "x3");
}

}  // namespace

Image resize(const Image& image, int width, int height, ResampleFilter filter, ResampleArithmetic arithmetic) {
  check_image(image, "resize");
  if (width <= 0 || height <= 0 || width > kMaxImageSide || height > kMaxImageSide)
    throw InputError("resize: cannot resize to " + std::to_string(width) + "x" + std::to_string(height) +
                     " (each side must be 1.." + std::to_string(kMaxImageSide) + ")");
  if (width == image.width && height == image.height) return image;

  // Like Pillow, the horizontal pass only covers the rows that the vertical pass reads.
  const Kernel vertical = make_kernel(image.height, height, filter, arithmetic);
  const int first_row = vertical.first.front();
  const int end_row = vertical.first.back() + vertical.count.back();

  const uint8_t* rows = image.pixels.data();
  int row_offset = 0;
  std::vector<uint8_t> resampled_rows;
  if (width != image.width) {
    const Kernel horizontal = make_kernel(image.width, width, filter, arithmetic);
    resampled_rows.resize(size_t(width) * (end_row - first_row) * 3);
    horizontal_pass(rows + size_t(first_row) * image.width * 3, image.width, end_row - first_row, horizontal,
                    resampled_rows.data());
    rows = resampled_rows.data();
    row_offset = first_row;
  }

  Image result;
  result.width = width;
  result.height = height;
  if (height == image.height) {
    result.pixels.assign(rows, rows + size_t(width) * height * 3);
    return result;
  }
  result.pixels.resize(size_t(width) * height * 3);
  vertical_pass(rows, width, row_offset, vertical, result.pixels.data());
  return result;
}

Image crop(const Image& image, int x, int y, int width, int height) {
  check_image(image, "crop");
  if (x < 0 || y < 0 || width <= 0 || height <= 0 || x > image.width - width || y > image.height - height)
    throw InputError("crop: the rectangle " + std::to_string(width) + "x" + std::to_string(height) + " at (" +
                     std::to_string(x) + ", " + std::to_string(y) + ") does not lie inside the " +
                     std::to_string(image.width) + "x" + std::to_string(image.height) + " image");
  Image result;
  result.width = width;
  result.height = height;
  result.pixels.resize(size_t(width) * height * 3);
  const size_t row_bytes = size_t(width) * 3;
  for (int row = 0; row < height; ++row) {
    const uint8_t* source = &image.pixels[(size_t(y + row) * image.width + x) * 3];
    std::copy(source, source + row_bytes, &result.pixels[row * row_bytes]);
  }
  return result;
}

}  // namespace loupe::io
