// Images: decoding (stb_image), PNG writing, and the Hugging Face image processors' preprocessing.
#pragma once
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

void save_png(const std::string& path, const Image& image);  // atomic; throws IoError / InputError

}  // namespace loupe::io
