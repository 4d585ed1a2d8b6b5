// The Hugging Face image processors' arithmetic, step for step in each backend (see image.h): a
// uint8 resize, then rescale and normalise in float32.
#include <array>

#include "core/error.h"
#include "core/io/image.h"

namespace loupe::io {

namespace {

using Triple = std::array<float, 3>;

ResampleArithmetic arithmetic_of(ProcessorBackend backend) {
  return backend == ProcessorBackend::Pil ? ResampleArithmetic::Pillow : ResampleArithmetic::Torch;
}

Pixels normalise(const Image& image, const Triple& mean, const Triple& std, ProcessorBackend backend) {
  Pixels pixels;
  pixels.height = image.height;
  pixels.width = image.width;
  const size_t plane = size_t(image.width) * image.height;
  pixels.values.resize(plane * 3);
  for (int c = 0; c < 3; ++c) {
    float* out = &pixels.values[c * plane];
    const uint8_t* in = image.pixels.data() + c;
    if (backend == ProcessorBackend::Pil) {
      for (size_t i = 0; i < plane; ++i) out[i] = (float(in[i * 3] * (1.0 / 255.0)) - mean[c]) / std[c];
    } else {
      const float scaled_mean = mean[c] * 255.0f, scaled_std = std[c] * 255.0f;
      for (size_t i = 0; i < plane; ++i) out[i] = (float(in[i * 3]) - scaled_mean) / scaled_std;
    }
  }
  return pixels;
}

void check_size(int size, const char* processor) {
  if (size <= 0 || size > kMaxImageSide)
    throw InputError(std::string(processor) + ": the target size " + std::to_string(size) + " must be 1.." +
                     std::to_string(kMaxImageSide));
}

}  // namespace

Pixels siglip_pixels(const Image& image, int size, ProcessorBackend backend) {
  check_size(size, "siglip_pixels");
  const Image resized = resize(image, size, size, ResampleFilter::Bilinear, arithmetic_of(backend));
  return normalise(resized, {0.5f, 0.5f, 0.5f}, {0.5f, 0.5f, 0.5f}, backend);
}

Pixels clip_pixels(const Image& image, int size, ProcessorBackend backend) {
  check_size(size, "clip_pixels");
  if (image.width <= 0 || image.height <= 0) throw InputError("clip_pixels: the image is empty");
  // transformers' get_resize_output_image_size: the short side becomes `size`, the long side
  // int(size * long / short) computed in double and truncated.
  const bool landscape = image.width > image.height;
  const int short_side = landscape ? image.height : image.width;
  const int long_side = landscape ? image.width : image.height;
  const int new_long = int(double(int64_t(size) * long_side) / short_side);
  const int width = landscape ? new_long : size;
  const int height = landscape ? size : new_long;
  const Image resized = resize(image, width, height, ResampleFilter::Bicubic, arithmetic_of(backend));
  const Image square = crop(resized, (width - size) / 2, (height - size) / 2, size, size);
  return normalise(square, {0.48145466f, 0.4578275f, 0.40821073f}, {0.26862954f, 0.26130258f, 0.27577711f},
                   backend);
}

}  // namespace loupe::io
