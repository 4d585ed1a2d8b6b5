// The one translation unit that compiles stb's implementations (headers from libstb-dev, or any
// copy of the stb headers on the include path), so no libstb.so is needed at link time.
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_FAILURE_USERMSG
#define STBI_NO_JPEG  // JPEGs decode with libjpeg-turbo, as Pillow decodes them (jpeg_read.h)
#include <stb_image.h>
#include <stb_image_write.h>
