// Fuzzes what load_sae reads before any tensor is made: the input as an SAE's cfg.json (SAELens
// before 6.0 and 6.x), whose config must survive the cfg.json save_sae writes for it unchanged; and
// as a weights file, whose header is checked against the fixtures' configs (SAELens TopK and
// JumpReLU) and, as a Gemma Scope params.safetensors, against the sizes its w_enc gives.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/error.h"
#include "core/sae/sae_config.h"
#include "core/util/json_fields.h"
#include "fuzz_scratch.h"

namespace {

using loupe::sae::SaeConfig;

SaeConfig fixture_config(loupe::sae::SaeKind kind) {  // tests/fixtures/saelens: 6 -> 12
  SaeConfig config;
  config.kind = kind;
  config.d_in = 6;
  config.d_sae = 12;
  config.k = kind == loupe::sae::SaeKind::TopK ? 3 : 0;
  return config;
}

// `saved` is `read` after a save and load: the same SAE, its other fields kept (a save may add the
// fields SAELens 5 requires).
bool same(const SaeConfig& read, const SaeConfig& saved) {
  for (const auto& [key, value] : read.extra.items())
    if (!saved.extra.contains(key) || saved.extra[key] != value) return false;
  return read.kind == saved.kind && read.d_in == saved.d_in && read.d_sae == saved.d_sae && read.k == saved.k &&
         read.apply_b_dec_to_input == saved.apply_b_dec_to_input && read.hook_name == saved.hook_name &&
         read.model_name == saved.model_name && read.dtype == saved.dtype && read.input_scale == saved.input_scale;
}

void read_cfg(std::string_view text) {
  const SaeConfig config = loupe::sae::config_from_saelens(loupe::util::parse_json_text(text, "cfg.json"), "cfg.json");
  const std::string written = loupe::sae::saelens_cfg(config).dump(2);  // as save_sae writes it
  const SaeConfig again =
      loupe::sae::config_from_saelens(loupe::util::parse_json_text(written, "saved cfg.json"), "saved cfg.json");
  if (!same(config, again)) std::abort();  // a save and load changed the SAE
}

void check_weights(const std::string& path) {
  using loupe::sae::SaeLayout;
  const loupe::io::SafeTensors file = loupe::io::SafeTensors::open(path);
  for (loupe::sae::SaeKind kind : {loupe::sae::SaeKind::TopK, loupe::sae::SaeKind::JumpRelu}) {
    try {
      loupe::sae::check_sae_weights(file, fixture_config(kind), SaeLayout::SaeLens, path);
    } catch (const loupe::FormatError&) {
    }
  }
  if (!file.contains("w_enc") || file.at("w_enc").shape.size() != 2) return;
  SaeConfig gemma_scope = fixture_config(loupe::sae::SaeKind::JumpRelu);  // as load_sae sizes it
  gemma_scope.d_in = file.at("w_enc").shape[0];
  gemma_scope.d_sae = file.at("w_enc").shape[1];
  loupe::sae::check_sae_size(gemma_scope.d_in, gemma_scope.d_sae, "'w_enc' gives");
  loupe::sae::check_sae_weights(file, gemma_scope, SaeLayout::GemmaScope, path);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    read_cfg(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const loupe::Error&) {
  }
  const auto folder = loupe::fuzz::scratch().folder("sae");
  try {
    check_weights(loupe::fuzz::Scratch::write(folder / "sae_weights.safetensors", data, size));
  } catch (const loupe::Error&) {
  }
  return 0;
}
