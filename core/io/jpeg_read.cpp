#include "core/io/jpeg_read.h"

#include <csetjmp>
#include <cstdio>

#include <jpeglib.h>
#include <jerror.h>

#include "core/error.h"

namespace loupe::io {

namespace {

// libjpeg reports errors through a callback that must not return: it jumps back to the setjmp in
// the reading function with the message saved. A truncated file (JWRN_JPEG_EOF, which libjpeg only
// warns about and pads with gray) counts as an error.
struct ErrorJump {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void on_error(j_common_ptr info) {
  auto* error = reinterpret_cast<ErrorJump*>(info->err);
  (*info->err->format_message)(info, error->message);
  std::longjmp(error->jump, 1);
}

void on_message(j_common_ptr info, int level) {
  if (level < 0 && info->err->msg_code == JWRN_JPEG_EOF) on_error(info);
}

// Reads the header and, with `rgb`, the whole image into it. No object with a destructor lives in
// this frame, so the longjmp of on_error skips nothing. Returns false with `error->message` set.
bool read_jpeg(const uint8_t* bytes, size_t size, JpegHeader* header, std::vector<uint8_t>* rgb, ErrorJump* error) {
  jpeg_decompress_struct info;
  info.err = jpeg_std_error(&error->manager);
  error->manager.error_exit = on_error;
  error->manager.emit_message = on_message;
  if (setjmp(error->jump)) {
    jpeg_destroy_decompress(&info);
    return false;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, bytes, static_cast<unsigned long>(size));
  jpeg_read_header(&info, TRUE);
  header->width = int(info.image_width);
  header->height = int(info.image_height);
  header->components = info.num_components;
  if (info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK) {
    std::snprintf(error->message, sizeof error->message, "CMYK JPEGs are not supported; convert it to RGB");
    jpeg_destroy_decompress(&info);
    return false;
  }
  if (rgb) {
    info.out_color_space = JCS_RGB;
    info.dct_method = JDCT_ISLOW;     // Pillow's default
    info.do_fancy_upsampling = TRUE;  // likewise
    jpeg_start_decompress(&info);
    const size_t stride = size_t(info.output_width) * 3;
    rgb->resize(stride * info.output_height);
    while (info.output_scanline < info.output_height) {
      JSAMPROW row = rgb->data() + stride * info.output_scanline;
      jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
  }
  jpeg_destroy_decompress(&info);
  return true;
}

}  // namespace

bool is_jpeg(const uint8_t* bytes, size_t size) {
  return size >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF;
}

JpegHeader read_jpeg_header(const uint8_t* bytes, size_t size, const std::string& name) {
  JpegHeader header;
  ErrorJump error;
  if (!read_jpeg(bytes, size, &header, nullptr, &error))
    throw FormatError(name + ": not a readable JPEG (" + error.message + ")");
  return header;
}

std::vector<uint8_t> decode_jpeg_rgb(const uint8_t* bytes, size_t size, const std::string& name) {
  JpegHeader header;
  std::vector<uint8_t> rgb;
  ErrorJump error;
  if (!read_jpeg(bytes, size, &header, &rgb, &error)) throw FormatError(name + ": cannot decode JPEG (" + error.message + ")");
  return rgb;
}

}  // namespace loupe::io
