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

void save_png(const std::string& path, const Image& image) {
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != size_t(image.width) * image.height * 3)
    throw InputError("save_png(" + path + "): image is empty or its pixel buffer does not match " +
                     std::to_string(image.width) + "x" + std::to_string(image.height) + "x3");
  std::string encoded;
  if (!stbi_write_png_to_func(append_bytes, &encoded, image.width, image.height, 3, image.pixels.data(),
                              image.width * 3))
    throw IoError("cannot encode PNG " + path);
  util::write_file_atomic(path, encoded);
}

}  // namespace loupe::io
