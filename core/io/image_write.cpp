#include <stb_image_write.h>

#include "core/error.h"
#include "core/io/image.h"
#include "core/util/atomic_file.h"

namespace loupe::io {

namespace {
void append_bytes(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data), size);
}
}  // namespace

std::string encode_png(const Image& image, const std::string& name_for_errors) {
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != size_t(image.width) * image.height * 3)
    throw InputError("PNG " + name_for_errors + ": image is empty or its pixel buffer does not match " +
                     std::to_string(image.width) + "x" + std::to_string(image.height) + "x3");
  std::string encoded;
  if (!stbi_write_png_to_func(append_bytes, &encoded, image.width, image.height, 3, image.pixels.data(),
                              image.width * 3))
    throw IoError("cannot encode PNG " + name_for_errors);
  return encoded;
}

void save_png(const std::string& path, const Image& image) { util::write_file_atomic(path, encode_png(image, path)); }

}  // namespace loupe::io
