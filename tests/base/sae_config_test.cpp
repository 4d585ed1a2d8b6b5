// The torch-free half of SAE loading (issue 21): cfg.json read into an SaeConfig and written back
// unchanged, and a weights file's header checked against the config before any tensor is made
// (missing, integer-typed or mis-shaped tensors named with the file).
#include <catch2/catch.hpp>

#include "core/error.h"
#include "core/sae/sae_config.h"
#include "core/util/json_fields.h"
#include "support/temp_dir.h"

using Catch::Matchers::Contains;
using loupe::test::message_of;
namespace sae = loupe::sae;
namespace io = loupe::io;

namespace {

const std::string kSaelens = std::string(LOUPE_FIXTURES) + "/saelens";

sae::SaeConfig read_cfg(const std::string& path) {
  return sae::config_from_saelens(loupe::util::parse_json_file(path), path);
}

// A weights file with the given (name, dtype, shape) tensors, zero-filled.
std::string weights(const loupe::test::TempDir& dir, const std::vector<std::tuple<std::string, io::DType, std::vector<int64_t>>>& specs) {
  static const std::vector<char> zeros(4096, 0);
  std::vector<io::TensorData> tensors;
  for (const auto& [name, dtype, shape] : specs) {
    size_t count = io::dtype_size(dtype);
    for (int64_t size : shape) count *= size_t(size);
    tensors.push_back({name, dtype, shape, zeros.data(), count});
  }
  const std::string path = dir.file("sae_weights.safetensors");
  io::write_safetensors(path, tensors);
  return path;
}

}  // namespace

TEST_CASE("cfg.json of each SAELens layout reads, and the cfg.json loupe writes reads back the same", "[sae]") {
  for (const char* folder : {"topk_v5", "jumprelu_v6", "standard_v6"}) {
    INFO(folder);
    const sae::SaeConfig config = read_cfg(kSaelens + "/" + folder + "/cfg.json");
    CHECK(config.d_in == 6);
    CHECK(config.d_sae == 12);
    const sae::SaeConfig again = sae::config_from_saelens(sae::saelens_cfg(config), "written");
    CHECK(again.kind == config.kind);
    CHECK(again.k == config.k);
    CHECK(again.hook_name == config.hook_name);
    CHECK(again.model_name == config.model_name);
    for (const auto& [key, value] : config.extra.items()) {  // kept; a save may add SAELens 5's required fields
      INFO(key);
      CHECK(again.extra.contains(key));
      CHECK(again.extra.value(key, nlohmann::json()) == value);
    }
  }
  // A layer number too long for an integer is written as hook_layer 0, not an exception.
  sae::SaeConfig long_layer = read_cfg(kSaelens + "/topk_v5/cfg.json");
  long_layer.hook_name = "blocks.99999999999999999999.hook_resid_post";
  CHECK(sae::saelens_cfg(long_layer)["hook_layer"] == 0);
}

TEST_CASE("a weights header that does not fit the config is refused before any tensor is made", "[sae]") {
  const loupe::test::TempDir dir;
  sae::SaeConfig config;
  config.kind = sae::SaeKind::JumpRelu;
  config.d_in = 6;
  config.d_sae = 12;
  using Spec = std::tuple<std::string, io::DType, std::vector<int64_t>>;
  const std::vector<Spec> good{{"W_enc", io::DType::F32, {6, 12}}, {"W_dec", io::DType::BF16, {12, 6}},
                               {"b_enc", io::DType::F16, {12}},     {"b_dec", io::DType::F64, {6}},
                               {"threshold", io::DType::F32, {12}}};
  const std::string path = weights(dir, good);
  sae::check_sae_weights(io::SafeTensors::open(path), config, sae::SaeLayout::SaeLens, path);

  auto refusal = [&](std::vector<Spec> specs) {
    const std::string file = weights(dir, specs);
    return message_of<loupe::FormatError>(
        [&] { sae::check_sae_weights(io::SafeTensors::open(file), config, sae::SaeLayout::SaeLens, file); });
  };
  std::vector<Spec> integer = good;
  std::get<1>(integer[3]) = io::DType::I32;  // an I32 b_dec was evaluated (explained variance -1.2e17)
  CHECK_THAT(refusal(integer), Contains(path) && Contains("'b_dec' has dtype I32"));
  std::vector<Spec> transposed = good;
  std::get<2>(transposed[0]) = {12, 6};
  CHECK_THAT(refusal(transposed), Contains("'W_enc' has shape [12, 6], expected [6, 12]"));
  std::vector<Spec> no_threshold(good.begin(), good.end() - 1);
  CHECK_THAT(refusal(no_threshold), Contains("has no 'threshold' tensor"));
  // Gemma Scope names its matrices w_enc and w_dec.
  CHECK_THAT(message_of<loupe::FormatError>(
                 [&] { sae::check_sae_weights(io::SafeTensors::open(path), config, sae::SaeLayout::GemmaScope, path); }),
             Contains("has no 'w_enc' tensor"));
}
