// Image decoding, Pillow-exact resizing and the Hugging Face preprocessors: checked against pixel
// values computed by transformers (tests/fixtures/preprocess), against values Pillow gives for small
// hand-made inputs, and against files that are missing, empty, truncated, random or oversized.
#include <stb_image_write.h>

#include <catch2/catch.hpp>

#include "support/temp_dir.h"
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "core/error.h"
#include "core/io/image.h"
#include "core/io/safetensors.h"

using namespace loupe;
using namespace loupe::io;
namespace fs = std::filesystem;

using loupe::test::message_of;
using loupe::test::TempDir;

namespace {

std::string fixture(const std::string& name) { return std::string(LOUPE_FIXTURES) + "/preprocess/" + name; }


Image make_image(int width, int height, std::vector<uint8_t> pixels) {
  Image image;
  image.width = width;
  image.height = height;
  image.pixels = std::move(pixels);
  return image;
}

std::vector<uint8_t> pixel(const Image& image, int x, int y) {
  const uint8_t* p = &image.pixels[(size_t(y) * image.width + x) * 3];
  return {p[0], p[1], p[2]};
}

// ---- minimal PNG writing, for sample depths and headers stb_image_write cannot produce ----

std::string big_endian(uint32_t value) {
  return {char(value >> 24), char(value >> 16), char(value >> 8), char(value)};
}

uint32_t crc32(const std::string& bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

std::string png_chunk(const std::string& type, const std::string& data) {
  return big_endian(uint32_t(data.size())) + type + data + big_endian(crc32(type + data));
}

// A zlib stream holding `raw` in one uncompressed (stored) deflate block; raw.size() < 65536.
std::string stored_zlib(const std::string& raw) {
  uint32_t a = 1, b = 0;
  for (unsigned char byte : raw) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  const auto length = uint16_t(raw.size());
  const std::string block = {char(1), char(length & 0xFF), char(length >> 8), char(~length & 0xFF),
                             char((~length >> 8) & 0xFF)};
  return std::string("\x78\x01") + block + raw + big_endian((b << 16) | a);
}

// `rows`: each row's filter byte (0) and samples, already in PNG byte order.
std::string png_file(int width, int height, int depth, int colour_type, const std::string& rows) {
  const std::string header = big_endian(uint32_t(width)) + big_endian(uint32_t(height)) +
                             std::string{char(depth), char(colour_type), 0, 0, 0};
  return std::string("\x89PNG\r\n\x1a\n", 8) + png_chunk("IHDR", header) + png_chunk("IDAT", stored_zlib(rows)) +
         png_chunk("IEND", "");
}

void append_to(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data), size_t(size));
}

struct Difference {
  double mean = 0;
  double max = 0;
};

Difference difference(const Pixels& pixels, const TensorView& reference) {
  const std::vector<float> want = to_floats(reference);
  REQUIRE(reference.shape == std::vector<int64_t>{pixels.channels, pixels.height, pixels.width});
  REQUIRE(want.size() == pixels.values.size());
  Difference d;
  for (size_t i = 0; i < want.size(); ++i) {
    const double delta = std::abs(double(pixels.values[i]) - want[i]);
    d.mean += delta;
    d.max = std::max(d.max, delta);
  }
  d.mean /= double(want.size());
  return d;
}

}  // namespace

TEST_CASE("siglip_pixels and clip_pixels match the transformers image processors", "[image]") {
  // The reference was computed by transformers 5 (the torchvision backend): reproduced to the bit.
  // The PIL backend of transformers 4.x resizes with Pillow, one level apart on a few pixels.
  const SafeTensors reference = SafeTensors::open(fixture("pixels.safetensors"));
  for (const std::string name : {"astronaut", "coffee"}) {
    const Image image = load_image(fixture(name + ".png"));
    for (auto backend : {ProcessorBackend::Torchvision, ProcessorBackend::Pil}) {
      const bool exact = backend == ProcessorBackend::Torchvision;
      const double mean_allowed = exact ? 0.0 : 0.01, max_allowed = exact ? 0.0 : 0.1;

      const Difference siglip = difference(siglip_pixels(image, 224, backend), reference.at("siglip224." + name));
      INFO(name << (exact ? " torchvision" : " pil") << " siglip224: mean " << siglip.mean << ", max "
                << siglip.max);
      CHECK(siglip.mean <= mean_allowed);
      CHECK(siglip.max <= max_allowed);

      const Difference clip = difference(clip_pixels(image, 336, backend), reference.at("clip336." + name));
      INFO(name << (exact ? " torchvision" : " pil") << " clip336: mean " << clip.mean << ", max " << clip.max);
      CHECK(clip.mean <= mean_allowed);
      CHECK(clip.max <= max_allowed);
    }
  }
}

TEST_CASE("clip_pixels keeps the centre of a portrait image", "[image]") {
  // Thirds: red on top, green in the middle, blue at the bottom. The centre crop of the 50x150
  // resize is the green third.
  std::vector<uint8_t> pixels;
  for (int y = 0; y < 300; ++y)
    for (int x = 0; x < 100; ++x) {
      const int third = y / 100;
      pixels.insert(pixels.end(), {uint8_t(third == 0 ? 255 : 0), uint8_t(third == 1 ? 255 : 0),
                                   uint8_t(third == 2 ? 255 : 0)});
    }
  const Pixels out = clip_pixels(make_image(100, 300, pixels), 50);
  REQUIRE(out.channels == 3);
  REQUIRE(out.height == 50);
  REQUIRE(out.width == 50);
  const size_t centre = 25 * 50 + 25, plane = 50 * 50;
  CHECK(out.values[centre] == Approx((0.0f - 0.48145466f) / 0.26862954f));
  CHECK(out.values[plane + centre] == Approx((1.0f - 0.4578275f) / 0.26130258f));
  CHECK(out.values[2 * plane + centre] == Approx((0.0f - 0.40821073f) / 0.27577711f));
}

TEST_CASE("resize follows Pillow's antialiased convolution", "[image]") {
  SECTION("a 2x shrink widens the bilinear support to two input pixels each side") {
    // Pillow: weights 3/7, 3/7, 1/7 around each output centre (plain bilinear would give 35, 175).
    const Image row = make_image(4, 1, {0, 0, 0, 70, 70, 70, 140, 140, 140, 210, 210, 210});
    const Image half = resize(row, 2, 1, ResampleFilter::Bilinear);
    CHECK(half.pixels == std::vector<uint8_t>{50, 50, 50, 160, 160, 160});
  }
  SECTION("a flat image stays flat at any size and with either filter") {
    const Image flat = make_image(5, 3, std::vector<uint8_t>(5 * 3 * 3, 123));
    for (auto filter : {ResampleFilter::Bilinear, ResampleFilter::Bicubic})
      for (auto [w, h] : std::initializer_list<std::pair<int, int>>{{1, 1}, {2, 7}, {17, 2}, {64, 64}}) {
        const Image out = resize(flat, w, h, filter);
        CHECK(out.pixels == std::vector<uint8_t>(size_t(w) * h * 3, 123));
      }
  }
  SECTION("bicubic overshoot at a hard edge is clipped, not wrapped") {
    const Image edge = make_image(4, 1, {0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255});
    const Image wide = resize(edge, 16, 1, ResampleFilter::Bicubic);
    for (int x = 1; x < 16; ++x) CHECK(wide.pixels[x * 3] >= wide.pixels[(x - 1) * 3]);
    CHECK(wide.pixels.front() == 0);
    CHECK(wide.pixels.back() == 255);
  }
  SECTION("the same size is a copy") {
    const Image image = make_image(2, 1, {1, 2, 3, 4, 5, 6});
    CHECK(resize(image, 2, 1, ResampleFilter::Bicubic).pixels == image.pixels);
  }
  SECTION("impossible requests are refused") {
    const Image image = make_image(2, 1, {1, 2, 3, 4, 5, 6});
    CHECK_THAT(message_of<InputError>([&] { resize(image, 0, 5, ResampleFilter::Bilinear); }),
               Catch::Contains("0x5"));
    CHECK_THROWS_AS(resize(Image{}, 4, 4, ResampleFilter::Bilinear), InputError);
    CHECK_THAT(message_of<InputError>([&] { crop(image, 1, 0, 2, 1); }), Catch::Contains("does not lie inside"));
  }
}

TEST_CASE("crop copies the rectangle", "[image]") {
  const Image image = make_image(3, 2, {0, 0, 0, 1, 1, 1, 2, 2, 2, 10, 10, 10, 11, 11, 11, 12, 12, 12});
  const Image part = crop(image, 1, 1, 2, 1);
  CHECK(part.width == 2);
  CHECK(part.height == 1);
  CHECK(part.pixels == std::vector<uint8_t>{11, 11, 11, 12, 12, 12});
}

TEST_CASE("decoding converts every kind of image to RGB as transformers does", "[image]") {
  TempDir dir;

  SECTION("grayscale is replicated") {
    const uint8_t gray[] = {0, 100, 255};
    const Image image = load_image(dir.write("gray.png", [&] {
      std::string png;
      stbi_write_png_to_func(append_to, &png, 3, 1, 1, gray, 3);
      return png;
    }()));
    CHECK(image.pixels == std::vector<uint8_t>{0, 0, 0, 100, 100, 100, 255, 255, 255});
  }
  SECTION("RGBA is composited over white with Pillow's rounding") {
    // Expected values from Image.alpha_composite(white, image).convert("RGB") in Pillow.
    const uint8_t rgba[] = {200, 100, 50, 128, 10, 20, 30, 0, 1, 2, 3, 255, 0, 255, 77, 1};
    std::string png;
    stbi_write_png_to_func(append_to, &png, 4, 1, 4, rgba, 16);
    const Image image = load_image(dir.write("rgba.png", png));
    CHECK(image.pixels == std::vector<uint8_t>{227, 177, 152, 255, 255, 255, 1, 2, 3, 254, 255, 254});
  }
  SECTION("16-bit PNG keeps the high byte of each sample, as PIL does") {
    // One row: filter byte, then (0x1234, 0xABCD, 0xFF00) and (0x00FF, 0x8080, 0xFFFF) big-endian.
    const std::string row("\0\x12\x34\xAB\xCD\xFF\x00\x00\xFF\x80\x80\xFF\xFF", 13);
    const Image image = load_image(dir.write("rgb16.png", png_file(2, 1, 16, 2, row)));
    CHECK(image.pixels == std::vector<uint8_t>{0x12, 0xAB, 0xFF, 0x00, 0x80, 0xFF});
  }
  SECTION("BMP") {
    const uint8_t rgb[] = {1, 2, 3, 250, 251, 252};
    std::string bmp;
    stbi_write_bmp_to_func(append_to, &bmp, 2, 1, 3, rgb);
    CHECK(load_image(dir.write("a.bmp", bmp)).pixels == std::vector<uint8_t>(rgb, rgb + 6));
  }
  SECTION("GIF: the transparent colour becomes white") {
    // 2x2, palette red, green, blue, (10, 20, 30) with index 3 transparent; written by Pillow.
    const uint8_t gif[] = {0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x02, 0x00, 0x02, 0x00, 0x81, 0x00, 0x00, 0xff,
                           0x00, 0x00, 0x00, 0xff, 0x00, 0x00, 0x00, 0xff, 0x0a, 0x14, 0x1e, 0x21, 0xf9, 0x04,
                           0x01, 0x00, 0x00, 0x03, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x02, 0x00,
                           0x00, 0x08, 0x07, 0x00, 0x01, 0x04, 0x10, 0x30, 0x20, 0x20, 0x00, 0x3b};
    const Image image = decode_image(gif, sizeof gif, "two-by-two.gif");
    CHECK(image.pixels == std::vector<uint8_t>{255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255});
  }
  SECTION("JPEG (lossy: close to what was written)") {
    std::vector<uint8_t> rgb;
    for (int i = 0; i < 16 * 16; ++i) rgb.insert(rgb.end(), {200, 120, 40});
    std::string jpeg;
    stbi_write_jpg_to_func(append_to, &jpeg, 16, 16, 3, rgb.data(), 95);
    const Image image = load_image(dir.write("flat.jpg", jpeg));
    REQUIRE(image.width == 16);
    REQUIRE(image.height == 16);
    for (size_t i = 0; i < rgb.size(); ++i) CHECK(std::abs(int(image.pixels[i]) - int(rgb[i])) <= 3);
  }
}

TEST_CASE("bad image files give typed errors that name the file and the problem", "[image]") {
  TempDir dir;

  SECTION("missing file") {
    const std::string path = (dir.path / "nowhere.png").string();
    const std::string message = message_of<IoError>([&] { load_image(path); });
    CHECK_THAT(message, Catch::Contains(path) && Catch::Contains("cannot open"));
  }
  SECTION("zero-byte file") {
    const std::string path = dir.write("empty.png", "");
    CHECK_THAT(message_of<FormatError>([&] { load_image(path); }),
               Catch::Contains(path) && Catch::Contains("empty"));
  }
  SECTION("truncated PNG") {
    std::vector<uint8_t> noise(64 * 64 * 3);
    std::mt19937 random(7);
    for (auto& value : noise) value = uint8_t(random());
    std::string png;
    stbi_write_png_to_func(append_to, &png, 64, 64, 3, noise.data(), 64 * 3);
    const std::string path = dir.write("cut.png", png.substr(0, png.size() / 2));
    CHECK_THAT(message_of<FormatError>([&] { load_image(path); }),
               Catch::Contains(path) && Catch::Contains("truncated PNG") && Catch::Contains("IDAT chunk declares"));
  }
  SECTION("random bytes") {
    std::string bytes(1000, '\0');
    std::mt19937 random(11);
    for (auto& byte : bytes) byte = char(random());
    const std::string path = dir.write("noise.jpg", bytes);
    CHECK_THAT(message_of<FormatError>([&] { load_image(path); }),
               Catch::Contains(path) && Catch::Contains("not a readable image"));
  }
  SECTION("headers declaring absurd sizes are refused before decoding") {
    // A PNG header for 20000x10 pixels (no image data follows) ...
    const std::string header = big_endian(20000) + big_endian(10) + std::string{8, 2, 0, 0, 0};
    const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + png_chunk("IHDR", header);
    CHECK_THAT(message_of<FormatError>([&] { load_image(dir.write("wide.png", png)); }),
               Catch::Contains("wide.png") && Catch::Contains("20000x10"));
    // ... and a BMP header for 100000x100000 pixels (40 GB if it were decoded).
    auto little_endian = [](uint32_t v) { return std::string{char(v), char(v >> 8), char(v >> 16), char(v >> 24)}; };
    const std::string bmp = "BM" + little_endian(54) + little_endian(0) + little_endian(54) + little_endian(40) +
                            little_endian(100000) + little_endian(100000) + std::string{1, 0, 24, 0} +
                            std::string(24, '\0');
    CHECK_THAT(message_of<FormatError>([&] { load_image(dir.write("huge.bmp", bmp)); }),
               Catch::Contains("huge.bmp") && Catch::Contains("100000x100000"));
  }
  SECTION("a JPEG Huffman table with more than 256 symbols (libjpeg refuses it)") {
    std::string jpeg = "\xFF\xD8\xFF\xC4";
    jpeg += std::string{0, 19, 0} + std::string(16, '\xFF');  // length 19, class 0 id 0, 16 x 255 codes
    CHECK_THAT(message_of<FormatError>([&] { decode_image(reinterpret_cast<const uint8_t*>(jpeg.data()),
                                                          jpeg.size(), "hostile.jpg"); }),
               Catch::Contains("hostile.jpg") && Catch::Contains("Huffman"));
  }
  SECTION("a directory") {
    CHECK_THAT(message_of<IoError>([&] { load_image(dir.path.string()); }), Catch::Contains("directory"));
  }
}
