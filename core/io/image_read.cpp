// Image decoding, converted to RGB exactly as the Hugging Face processors see it: JPEGs with
// libjpeg-turbo as Pillow decodes them (jpeg_read.h), PNG, BMP, GIF and PGM/PPM with stb_image.
//
// transformers' convert_to_rgb(image) returns a PIL image whose mode is "RGB" untouched; any other
// mode goes image.convert("RGBA"), is alpha-composited over an opaque white background with
// Image.alpha_composite, and converted to "RGB". So:
//   - grayscale is replicated to R = G = B;
//   - RGBA, gray+alpha, palettes with transparency and GIF transparency are composited over white
//     with Pillow's integer arithmetic (fully transparent pixels become white, not their colour);
//   - an RGB PNG carrying a tRNS colour key stays mode "RGB" in PIL, so the key is ignored there and
//     here (a grayscale PNG's key does count: PIL converts "L" to "RGBA" through it).
// 16-bit PNGs keep the high byte of each sample, which is what PIL's "RGB;16B", "RGBA;16B" and
// "LA;16B" unpackers do. One divergence: PIL opens 16-bit grayscale as mode "I;16" ("I" before
// Pillow 10) and converts it by saturating every value above 255 to white; the high byte is kept
// here instead so such an image stays visible.
#include <stb_image.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <filesystem>
#include <memory>

#include "core/error.h"
#include "core/io/image.h"
#include "core/io/jpeg_read.h"
#include "core/util/atomic_file.h"

namespace loupe::io {

namespace {

// stb_image's reason for the last failure. Some paths (a GIF with a header and no frame) fail
// without setting one.
std::string stb_reason() {
  const char* reason = stbi_failure_reason();
  return reason && *reason ? reason : "no image data: the file holds a header only or is truncated";
}

void check_dimensions(int width, int height, size_t file_bytes, const std::string& name) {
  if (width <= 0 || height <= 0 || width > kMaxImageSide || height > kMaxImageSide)
    throw FormatError(name + ": the header declares a " + std::to_string(width) + "x" +
                      std::to_string(height) + " image; sides up to " + std::to_string(kMaxImageSide) +
                      " pixels are accepted (is the file corrupt?)");
  const int64_t pixels = int64_t(width) * height;
  const int64_t budget = std::min(kMaxImagePixels, kMinPixelBudget + kPixelsPerFileByte * int64_t(file_bytes));
  if (pixels > budget)
    throw FormatError(name + ": the header declares a " + std::to_string(width) + "x" + std::to_string(height) +
                      " image (" + std::to_string(pixels) + " pixels); at most " + std::to_string(budget) +
                      " pixels are accepted from a file of " + std::to_string(file_bytes) +
                      " bytes (is the file truncated or corrupt?)");
}

// stb_image 2.27 grows its IDAT buffer to an IDAT chunk's declared length before it reads the
// chunk, so an IDAT that declares more bytes than the file holds makes it allocate up to 2 GB for
// nothing. Such a file is cut short or corrupt: refused first. (Other chunks stb skips without
// allocating; one that runs past the end ends the walk.) Empty when `bytes` is no PNG or its IDAT
// chunks fit in it.
std::string png_chunk_problem(const uint8_t* bytes, size_t size) {
  static const uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (size < 8 || !std::equal(kSignature, kSignature + 8, bytes)) return "";
  for (size_t pos = 8; pos + 8 <= size;) {
    const size_t length = (size_t(bytes[pos]) << 24) | (size_t(bytes[pos + 1]) << 16) | (size_t(bytes[pos + 2]) << 8) | bytes[pos + 3];
    const size_t left = size - pos - 8;  // after the length and type fields
    const auto type_is = [&](const char* type) { return std::equal(bytes + pos + 4, bytes + pos + 8, reinterpret_cast<const uint8_t*>(type)); };
    if (length > left && type_is("IDAT"))
      return "corrupt or truncated PNG (an IDAT chunk declares " + std::to_string(length) + " bytes, the file has " +
             std::to_string(left) + " left)";
    if (length > left || type_is("IEND")) return "";
    pos += 12 + length;  // length, type, data, CRC
  }
  return "";
}

// The header of a binary PGM/PPM (P5, P6) as stb_image reads it: width, height and maxval, each
// after white space and # comments. stb 2.27 overflows an int on a number of more than 9 digits,
// and converts a 16-bit image (maxval above 255) with its 8-bit routine, reading past its buffer
// (stb 2.28 fixed both), so loupe refuses such headers first. Empty when `bytes` is no P5/P6 file or
// its header is fine.
std::string pnm_header_problem(const uint8_t* bytes, size_t size) {
  if (size < 2 || bytes[0] != 'P' || (bytes[1] != '5' && bytes[1] != '6')) return "";
  constexpr size_t kMaxDigits = 9;
  size_t pos = 2;
  int64_t numbers[3] = {0, 0, 0};
  for (int64_t& number : numbers) {
    for (;;) {
      while (pos < size && std::isspace(bytes[pos])) ++pos;
      if (pos >= size || bytes[pos] != '#') break;
      while (pos < size && bytes[pos] != '\n' && bytes[pos] != '\r') ++pos;
    }
    size_t digits = 0;
    for (; pos < size && std::isdigit(bytes[pos]); ++pos, ++digits) {
      if (digits == kMaxDigits) return "a number in its PGM/PPM header has more than 9 digits";
      number = number * 10 + (bytes[pos] - '0');
    }
  }
  if (numbers[2] > 255) return "16-bit PGM/PPM images (maxval above 255) are not supported; save it with 8 bits";
  return "";
}

// Pillow's Image.alpha_composite(white, pixel) for one channel value c with alpha a > 0. The
// background is opaque, so Pillow's coef1 = a·255²·128 / 255² is exactly 128·a.
uint8_t over_white(uint32_t c, uint32_t a) {
  const uint32_t coef1 = a << 7;
  const uint32_t coef2 = (255u << 7) - coef1;
  const uint32_t sum = c * coef1 + 255u * coef2 + (0x80u << 7);
  return uint8_t((((sum >> 8) + sum) >> 8) >> 7);
}

Image rgba_to_rgb(const uint8_t* rgba, int width, int height, bool composite_alpha) {
  Image image;
  image.width = width;
  image.height = height;
  const size_t count = size_t(width) * height;
  image.pixels.resize(count * 3);
  uint8_t* out = image.pixels.data();
  for (size_t i = 0; i < count; ++i, rgba += 4, out += 3) {
    const uint8_t alpha = rgba[3];
    for (int c = 0; c < 3; ++c) {
      if (!composite_alpha || alpha == 255)
        out[c] = rgba[c];
      else
        out[c] = alpha == 0 ? 255 : over_white(rgba[c], alpha);
    }
  }
  return image;
}

}  // namespace

ImageHeader read_image_header(const uint8_t* bytes, size_t size, const std::string& name) {
  if (size == 0) throw FormatError(name + ": the file is empty (expected a PNG, JPEG, BMP or GIF image)");
  if (size > size_t(INT_MAX))
    throw FormatError(name + ": " + std::to_string(size) + " bytes is too large for an image file");
  const int length = int(size);
  ImageHeader header;
  if (is_jpeg(bytes, size)) {
    const JpegHeader jpeg = read_jpeg_header(bytes, size, name);
    header = {jpeg.width, jpeg.height, jpeg.components};
    check_dimensions(header.width, header.height, size, name);
    return header;
  }
  if (const std::string problem = pnm_header_problem(bytes, size); !problem.empty())
    throw FormatError(name + ": " + problem);
  if (const std::string problem = png_chunk_problem(bytes, size); !problem.empty())
    throw FormatError(name + ": " + problem);

  if (!stbi_info_from_memory(bytes, length, &header.width, &header.height, &header.channels))
    throw FormatError(name + ": not a readable image (" + stb_reason() + ")");
  check_dimensions(header.width, header.height, size, name);
  return header;
}

Image decode_image(const uint8_t* bytes, size_t size, const std::string& name_for_errors) {
  const std::string& name = name_for_errors;
  const ImageHeader header = read_image_header(bytes, size, name);
  if (is_jpeg(bytes, size)) {
    Image image;
    image.width = header.width;
    image.height = header.height;
    image.pixels = decode_jpeg_rgb(bytes, size, name);
    return image;
  }
  int width = 0, height = 0, channels = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> rgba(
      stbi_load_from_memory(bytes, int(size), &width, &height, &channels, STBI_rgb_alpha), stbi_image_free);
  if (!rgba) throw FormatError(name + ": cannot decode image (" + stb_reason() + ")");

  // `channels` counts the source's channels, alpha included; see the comment at the top.
  const bool has_alpha = channels == 2 || channels == 4;
  const bool rgb_with_colour_key = header.channels == 3 && channels == 4;
  return rgba_to_rgb(rgba.get(), width, height, has_alpha && !rgb_with_colour_key);
}

Image load_image(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error))
    throw IoError("cannot read image " + path + ": it is a directory");
  const std::string bytes = util::read_file(path);
  return decode_image(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), path);
}

}  // namespace loupe::io
