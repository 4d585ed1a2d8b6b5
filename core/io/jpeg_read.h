// JPEG decoding with libjpeg-turbo, the library Pillow decodes JPEGs with, at Pillow's settings
// (the accurate integer IDCT, fancy upsampling), so a JPEG's pixels are the ones the Hugging Face
// processors see. stb_image's own JPEG decoder rounds differently, and version 2.27 (Debian 12's)
// shifts by negative amounts on some corrupt entropy-coded data (docs/hardening.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace loupe::io {

// True when the bytes start with a JPEG start-of-image marker (FF D8 FF).
bool is_jpeg(const uint8_t* bytes, size_t size);

struct JpegHeader {
  int width = 0;
  int height = 0;
  int components = 0;  // 1 grayscale, 3 YCbCr or RGB
};

// Reads the header only. Throws FormatError naming `name` for a corrupt header, and for CMYK and
// YCCK JPEGs, which are refused (convert them to RGB first).
JpegHeader read_jpeg_header(const uint8_t* bytes, size_t size, const std::string& name);

// The whole image as RGB, 3 bytes a pixel, rows top to bottom (grayscale replicated to R = G = B,
// as Pillow's convert does). Throws FormatError for corrupt or truncated data (Pillow refuses a
// truncated JPEG too); libjpeg's other warnings, such as extraneous bytes before a marker, are
// ignored as Pillow ignores them.
std::vector<uint8_t> decode_jpeg_rgb(const uint8_t* bytes, size_t size, const std::string& name);

}  // namespace loupe::io
