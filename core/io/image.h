// Images: decoding (stb_image), PNG writing, Pillow-exact resizing, and the Hugging Face image
// processors' preprocessing (Gemma3ImageProcessor, CLIPImageProcessor).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace loupe::io {

// 8-bit RGB, row-major, 3 bytes per pixel: pixels[(y * width + x) * 3 + c].
struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;
};

// The decoder refuses, before decoding, any image with a side above kMaxImageSide, more than
// kMaxImagePixels pixels (8192 x 8192; a 48-megapixel photo fits), or more pixels than its file
// could encode: kMinPixelBudget plus kPixelsPerFileByte per byte of the file, twice what deflate
// (at most 1032:1) gives for a 1-bit PNG. So a corrupt or hostile header never allocates
// gigabytes, and a 60-byte file never decodes into a 256 MB buffer.
constexpr int kMaxImageSide = 16384;
constexpr int64_t kMaxImagePixels = int64_t(1) << 26;
constexpr int64_t kMinPixelBudget = int64_t(1) << 16;
constexpr int64_t kPixelsPerFileByte = 16384;

// PNG, JPEG, BMP, GIF (first frame) and the other formats stb_image reads, converted to RGB the way
// transformers' convert_to_rgb does with PIL (see image_read.cpp). Throws IoError when the file
// cannot be read, FormatError (naming the file and the decoder's reason) for empty, corrupt,
// truncated, header-only or oversized images.
Image load_image(const std::string& path);
Image decode_image(const uint8_t* bytes, size_t size, const std::string& name_for_errors);

// What the header declares, after every check decode_image makes before it decodes (the same
// FormatErrors): the size limits above and the corrupt inputs stb 2.27 mishandles.
struct ImageHeader {
  int width = 0;
  int height = 0;
  int channels = 0;  // as stored, alpha included
};
ImageHeader read_image_header(const uint8_t* bytes, size_t size, const std::string& name_for_errors);

void save_png(const std::string& path, const Image& image);  // atomic; throws IoError / InputError
std::string encode_png(const Image& image, const std::string& name_for_errors);  // the PNG file's bytes; throws as save_png

enum class ResampleFilter { Bilinear, Bicubic };

// The fixed-point arithmetic of the two uint8 resamplers behind the Hugging Face processors:
// Pillow's Image.resize and PyTorch's antialiased uint8 interpolate (torchvision). They differ by
// one level on roughly one pixel in 500.
enum class ResampleArithmetic { Pillow, Torch };

// Resizes as Pillow's Image.resize does for RGB images (bit for bit with Pillow arithmetic):
// separable convolution (horizontal pass, then vertical), each pass rounded to uint8, filter support
// widened by the downscale factor (antialiasing). Throws InputError for an empty image or a size
// outside 1..kMaxImageSide.
Image resize(const Image& image, int width, int height, ResampleFilter filter,
             ResampleArithmetic arithmetic = ResampleArithmetic::Pillow);

// The w×h rectangle whose top-left corner is (x, y); it must lie inside the image (InputError).
Image crop(const Image& image, int x, int y, int width, int height);

// Normalised pixel values for a vision tower, channels first: values[(c * height + y) * width + x].
struct Pixels {
  int channels = 3;
  int height = 0;
  int width = 0;
  std::vector<float> values;  // [channels, height, width]
};

// The two implementations of the Hugging Face image processors, which differ in the last bits:
// - Torchvision: transformers 5's (it computed tests/fixtures/preprocess): PyTorch's uint8 resize,
//   then (x − 255·mean) / (255·std) in float32, the mean and std scaled in float32.
// - Pil: transformers 4.x's default: Pillow's resize, then x·(1/255) in float64 cast to float32,
//   then (x − mean) / std in float32.
enum class ProcessorBackend { Torchvision, Pil };

// Gemma3ImageProcessor (SigLIP): bilinear resize to size×size (aspect ratio not kept), ×1/255,
// (x − 0.5) / 0.5.
Pixels siglip_pixels(const Image& image, int size, ProcessorBackend backend = ProcessorBackend::Torchvision);
// CLIPImageProcessor (LLaVA-1.5): bicubic resize of the shortest edge to `size` (long side
// int(size·long/short)), centre crop size×size, ×1/255, CLIP mean and std.
Pixels clip_pixels(const Image& image, int size, ProcessorBackend backend = ProcessorBackend::Torchvision);

}  // namespace loupe::io
