// Fuzzes image decoding (stb_image behind loupe's checks: PNG, JPEG, BMP, GIF, ...) and the
// preprocessing that follows it: both Hugging Face processors in both backends, resizing and
// cropping. Inputs whose header declares more than kFuzzPixels stop after read_image_header (every
// check made before decoding), to keep each execution fast; the size limits themselves are tested
// in tests/base/image_limits_test.cpp.
#include <cstdint>

#include "core/error.h"
#include "core/io/image.h"

namespace {

constexpr int64_t kFuzzPixels = 1 << 20;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace loupe::io;
  try {
    const ImageHeader header = read_image_header(data, size, "fuzz-input");
    if (int64_t(header.width) * header.height > kFuzzPixels) return 0;
    const Image image = decode_image(data, size, "fuzz-input");
    for (auto backend : {ProcessorBackend::Torchvision, ProcessorBackend::Pil}) {
      siglip_pixels(image, 16, backend);
      clip_pixels(image, 16, backend);
    }
    resize(image, 1, 3, ResampleFilter::Bicubic);
    resize(image, image.width * 2 > kMaxImageSide ? 1 : image.width * 2, 5, ResampleFilter::Bilinear,
           ResampleArithmetic::Torch);
    crop(image, image.width / 2, image.height / 2, (image.width + 1) / 2, (image.height + 1) / 2);
  } catch (const loupe::Error&) {
  }
  return 0;
}
