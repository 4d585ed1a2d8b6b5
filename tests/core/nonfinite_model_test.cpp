// NaN never becomes a caption (issue 21): a checkpoint weight holding NaN is refused when the
// model loads, naming the weight, and a generation whose logits turn NaN (here through a hook that
// poisons the residual stream) stops with an InputError instead of decoding token 0 as "".
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/model/caption.h"
#include "core/model/hook_names.h"
#include "core/model/inputs.h"
#include "core/util/atomic_file.h"
#include "support/temp_dir.h"

using namespace loupe;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

const std::string kDemoFolder = std::string(LOUPE_SOURCE_DIR) + "/assets/models/demo";
const std::string kKitchen = std::string(LOUPE_SOURCE_DIR) + "/assets/demo/images/kitchen.png";

// A copy of the demo model whose F32 weight `name` has a NaN as its element `index`.
void write_model_with_nan(const fs::path& folder, const std::string& name, int64_t index) {
  fs::copy(kDemoFolder, folder, fs::copy_options::recursive);
  const std::string path = (folder / "model.safetensors").string();
  std::string bytes = util::read_file(path);
  uint64_t header_size = 0;
  std::memcpy(&header_size, bytes.data(), sizeof header_size);  // little-endian on x86-64
  const auto header = nlohmann::json::parse(bytes.substr(8, header_size));
  REQUIRE(header.at(name).at("dtype") == "F32");
  const size_t offset = 8 + header_size + header.at(name).at("data_offsets")[0].get<size_t>() + size_t(index) * 4;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(bytes.data() + offset, &nan, sizeof nan);
  util::write_file_atomic(path, bytes);
}

}  // namespace

TEST_CASE("a checkpoint weight holding NaN is refused at load, naming the weight", "[model][errors]") {
  const test::TempDir dir("loupe-nan-weights");
  const fs::path folder = dir.path / "model";
  const std::string weight = "language_model.model.layers.1.mlp.down_proj.weight";
  write_model_with_nan(folder, weight, 7);
  const std::string message = test::message_of<FormatError>([&] { model::load_vlm(folder.string()); });
  CHECK_THAT(message, Contains(weight) && Contains("NaN or infinite") && Contains(folder.string()));
}

TEST_CASE("a generation whose logits turn NaN stops with an error, not an empty caption", "[model][errors]") {
  const auto vlm = model::load_vlm(kDemoFolder);
  const auto tokenizer = model::model_tokenizer(kDemoFolder);
  const torch::Tensor pixels = model::image_pixels(vlm->config, kKitchen);  // [1, 3, S, S]
  model::Session session;
  session.hooks.callback(model::parse_hook("blocks.1.hook_resid_post", vlm->config),
                         [](const torch::Tensor& x, const model::HookContext&) { return x * std::nanf(""); });
  const std::string message = test::message_of<InputError>(
      [&] { model::caption_images(*vlm, *tokenizer, pixels, {Language::English, 8}, session); });
  CHECK_THAT(message, Contains("logits hold NaN or infinite values at generated token 0"));

  model::Session clean;  // the same call without the poison captions as before
  const auto captions = model::caption_images(*vlm, *tokenizer, pixels, {Language::English, 8}, clean);
  CHECK_FALSE(captions[0].text.empty());
}
