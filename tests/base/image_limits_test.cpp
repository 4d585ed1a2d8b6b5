// Image files whose header promises more than the file holds (issue 21): absurd declared sizes are
// refused before anything is allocated, and a header-only GIF gets a reason, each naming the file.
#include <catch2/catch.hpp>
#include <stb_image_write.h>

#include <algorithm>
#include <cstdlib>
#include <cstdint>
#include <string>

#include "core/error.h"
#include "core/io/image.h"
#include "core/util/atomic_file.h"
#include "support/temp_dir.h"

using Catch::Matchers::Contains;
using loupe::io::load_image;

namespace {

std::string le16(uint32_t value) { return {char(value & 0xff), char((value >> 8) & 0xff)}; }
std::string le32(uint32_t value) { return le16(value & 0xffff) + le16(value >> 16); }

// A 24-bit BMP header (54 bytes) declaring width x height, followed by `pixel_bytes` zero bytes.
std::string bmp(uint32_t width, uint32_t height, size_t pixel_bytes) {
  return "BM" + le32(uint32_t(54 + pixel_bytes)) + le32(0) + le32(54) + le32(40) + le32(width) + le32(height) +
         le16(1) + le16(24) + le32(0) + le32(0) + le32(2835) + le32(2835) + le32(0) + le32(0) +
         std::string(pixel_bytes, '\0');
}

std::string load_error(const std::string& bytes) {
  const loupe::test::TempDir folder("loupe-image-limits");
  const std::string path = folder.write("image.bin", bytes);
  const std::string message = loupe::test::message_of<loupe::FormatError>([&] { load_image(path); });
  CHECK_THAT(message, Contains(path));
  return message;
}

}  // namespace

TEST_CASE("an image header declaring far more pixels than the file holds is refused before decoding",
          "[image][limits]") {
  // 16000 x 16000 passes the side limit; stb would allocate 1 GB and decode zeros.
  CHECK_THAT(load_error(bmp(16000, 16000, 0)),
             Contains("16000x16000") && Contains("256000000 pixels") && Contains("from a file of 54 bytes"));
  // 9000 x 9000 is above 2^26 pixels whatever the file size.
  CHECK_THAT(load_error(bmp(9000, 9000, 0)), Contains("81000000 pixels") && Contains("at most"));
  CHECK_THAT(load_error(bmp(100000, 10, 0)), Contains("sides up to 16384"));

  const loupe::test::TempDir folder("loupe-image-limits");
  const auto small = load_image(folder.write("small.bmp", bmp(4, 2, 4 * 3 * 2)));
  CHECK(small.width == 4);
  CHECK(small.height == 2);
}

TEST_CASE("a GIF with a header and no frame is a FormatError with a reason", "[image][limits]") {
  const std::string header_only = "GIF89a" + le16(16) + le16(16) + std::string(3, '\0');
  const std::string message = load_error(header_only);
  CHECK_THAT(message, !Contains("()"));
  CHECK_THAT(message, Contains("cannot decode") || Contains("not a readable image"));
}

TEST_CASE("a 16-bit PPM is refused before stb_image overruns its buffer (fuzz finding)", "[image][limits]") {
  // tests/fuzz/corpus/image/crash-16bit-ppm.ppm: a 2x2 P6 with maxval 258; stb 2.27 converted its
  // 16-bit samples with the 8-bit routine and read past the buffer (ASan heap-buffer-overflow).
  const std::string ppm = std::string("P6\n2 2\n258\n") + std::string("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b", 12);
  CHECK_THAT(load_error(ppm), Contains("16-bit PGM/PPM"));
  const loupe::test::TempDir folder("loupe-image-limits");
  const auto eight_bit = load_image(folder.write("small.ppm", "P6\n2 1\n255\n" + std::string(6, '\x10')));
  CHECK(eight_bit.width == 2);
}

TEST_CASE("corrupt JPEGs of the fuzz findings are refused by libjpeg, real ones load (fuzz findings)", "[image][limits]") {
  // stb 2.27 misread these; JPEGs now decode with libjpeg-turbo (core/io/jpeg_read.h):
  // crash-huffman-257.jpg: a DHT declaring 1316 symbols, cut off by the end of the 135-byte file
  // (stb's size table overrun). crash-huffman-fill-bytes.jpg: the same after three 0xFF fill bytes
  // before the start-of-image marker. crash-huffman-cut-counts.jpg: a table whose 16 counts are cut
  // by the end of the file yet sum past 256. crash-undefined-huffman-table.jpg: a scan asking for an
  // AC table no DHT defines (stb decoded with uninitialised memory).
  const std::string corpus = std::string(LOUPE_SOURCE_DIR) + "/tests/fuzz/corpus/image/";
  for (const char* name : {"crash-huffman-257.jpg", "crash-huffman-cut-counts.jpg", "crash-undefined-huffman-table.jpg"}) {
    INFO(name);
    const std::string message = loupe::test::message_of<loupe::FormatError>([&] { load_image(corpus + name); });
    CHECK_THAT(message, Contains(corpus + name) && Contains("JPEG"));
  }
  CHECK_THROWS_AS(load_image(corpus + "crash-huffman-fill-bytes.jpg"), loupe::FormatError);  // no JPEG signature
  // ubsan-jpeg-shift-33.jpg: corrupt entropy-coded data drove stb's bit reader to shift by 33
  // (undefined behaviour the sanitizer builds reported); libjpeg finds a scan using an undefined
  // quantisation table and refuses it.
  CHECK_THAT(loupe::test::message_of<loupe::FormatError>([&] { load_image(corpus + "ubsan-jpeg-shift-33.jpg"); }),
             Contains("cannot decode JPEG") && Contains("Quantization table"));
  for (const char* name : {"small.jpg", "gray.jpg"}) CHECK(load_image(corpus + name).width > 0);
}

TEST_CASE("JPEGs decode to RGB: grayscale replicated, a truncated file refused, pixels close to the source", "[image]") {
  const std::string corpus = std::string(LOUPE_SOURCE_DIR) + "/tests/fuzz/corpus/image/";
  const loupe::io::Image gray = load_image(corpus + "gray.jpg");
  REQUIRE(gray.pixels.size() == size_t(gray.width) * gray.height * 3);
  for (size_t p = 0; p < gray.pixels.size(); p += 3) {
    REQUIRE(gray.pixels[p] == gray.pixels[p + 1]);
    REQUIRE(gray.pixels[p] == gray.pixels[p + 2]);
  }
  // A smooth 64x48 gradient through stb's JPEG writer at quality 100 comes back within a few levels.
  loupe::io::Image source;
  source.width = 64;
  source.height = 48;
  for (int y = 0; y < source.height; ++y)
    for (int x = 0; x < source.width; ++x)
      for (int c = 0; c < 3; ++c) source.pixels.push_back(uint8_t((x * 4 + y * (c + 1) * 2) % 256 / 2 + 40));
  const loupe::test::TempDir folder("loupe-jpeg");
  const std::string path = folder.file("gradient.jpg");
  REQUIRE(stbi_write_jpg(path.c_str(), source.width, source.height, 3, source.pixels.data(), 100) != 0);
  const loupe::io::Image decoded = load_image(path);
  REQUIRE(decoded.width == 64);
  REQUIRE(decoded.height == 48);
  int worst = 0;
  for (size_t i = 0; i < source.pixels.size(); ++i) worst = std::max(worst, std::abs(int(decoded.pixels[i]) - int(source.pixels[i])));
  INFO("largest difference: " << worst);
  CHECK(worst <= 6);
  const std::string bytes = loupe::util::read_file(path);
  const std::string cut = folder.write("cut.jpg", bytes.substr(0, bytes.size() / 2));
  CHECK_THAT(loupe::test::message_of<loupe::FormatError>([&] { load_image(cut); }),
             Contains(cut) && Contains("cannot decode JPEG") && Contains("Premature end"));
}

TEST_CASE("a PNG chunk longer than the file is refused before stb allocates for it (fuzz finding)", "[image][limits]") {
  // tests/fuzz/corpus/image/oom-png-chunk-length.png: a 73-byte 2x2 PNG whose second IDAT chunk
  // declares far more bytes than the file holds; stb 2.27 grew its IDAT buffer to 2 GB before reading the chunk
  // (libFuzzer: out-of-memory, malloc(2147483648)).
  const std::string path = std::string(LOUPE_SOURCE_DIR) + "/tests/fuzz/corpus/image/oom-png-chunk-length.png";
  const std::string message = loupe::test::message_of<loupe::FormatError>([&] { load_image(path); });
  CHECK_THAT(message, Contains(path) && Contains("an IDAT chunk declares") && Contains("left"));
  for (const char* name : {"kitchen.png", "rgba.png", "gray16.png", "palette-trns.png"})
    CHECK(load_image(std::string(LOUPE_SOURCE_DIR) + "/tests/fuzz/corpus/image/" + name).width > 0);
}

TEST_CASE("a PGM header number too long for an int is refused before stb parses it (fuzz finding)",
          "[image][limits]") {
  // tests/fuzz/corpus/image/crash-pnm-overflow.pgm: "P5" then a 29-digit width; stb 2.27 multiplied
  // it past INT_MAX (UBSan: signed integer overflow).
  CHECK_THAT(load_error("P51555555555555555555555555552\n510"), Contains("more than 9 digits"));
  CHECK_THAT(load_error("P5 # a comment\n 1234567890 2 255\n"), Contains("more than 9 digits"));
  const loupe::test::TempDir folder("loupe-image-limits");
  const auto commented = load_image(folder.write("c.pgm", "P5\n# made by hand\n3 1\n255\n" + std::string(3, '\x40')));
  CHECK(commented.width == 3);
}

TEST_CASE("a PNG with an empty IDAT chunk decodes or is refused, without undefined behaviour (fuzz finding)",
          "[image][limits]") {
  // tests/fuzz/corpus/image/crash-empty-idat.png: stb calls memcpy(NULL, src, 0) for the empty
  // chunk (UBSan: null pointer passed as argument 1); stb_impl.cpp is built without that check.
  const std::string path = std::string(LOUPE_SOURCE_DIR) + "/tests/fuzz/corpus/image/crash-empty-idat.png";
  try {
    const auto image = load_image(path);
    CHECK(image.width == 3);
  } catch (const loupe::FormatError& error) {
    CHECK_THAT(error.what(), Contains(path));
  }
}
