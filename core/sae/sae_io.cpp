#include "core/sae/sae_io.h"

#include <filesystem>

#include "core/error.h"
#include "core/io/safetensors.h"
#include "core/tensor/convert.h"
#include "core/util/atomic_file.h"
#include "core/util/json_fields.h"

namespace loupe::sae {

namespace {

namespace fs = std::filesystem;

// A weight of `file` as float32 (check_sae_weights has checked its dtype and shape).
torch::Tensor stored(const io::SafeTensors& file, const std::string& key) {
  return tensor::view_of(file.at(key)).to(torch::kFloat32).clone();
}

// The checks every loaded SAE passes, with the weights file named: k, then finite values.
void check_loaded(const Sae& sae, const std::string& path) {
  try {
    sae.check();
    sae.check_finite();
  } catch (const FormatError& error) {
    throw FormatError(path + ": " + error.what());
  }
}

}  // namespace

void save_sae(const std::string& folder, const Sae& sae, const torch::Tensor& log10_density) {
  sae.check();
  fs::create_directories(folder);
  const torch::ScalarType dtype = tensor::parse_dtype(sae.config.dtype);
  auto out = [&](const torch::Tensor& t) { return t.detach().to(torch::kCPU, dtype).contiguous(); };
  tensor::NamedTensors tensors{
      {"W_enc", out(sae.W_enc)}, {"W_dec", out(sae.W_dec)}, {"b_enc", out(sae.b_enc)}, {"b_dec", out(sae.b_dec)}};
  if (sae.config.kind == SaeKind::JumpRelu) tensors.emplace_back("threshold", out(sae.threshold));
  tensor::save((fs::path(folder) / kWeightsFile).string(), tensors, {{"format", "pt"}});
  if (log10_density.defined()) {
    if (log10_density.sizes() != c10::IntArrayRef{sae.config.d_sae})
      throw InputError("feature sparsity must have shape [" + std::to_string(sae.config.d_sae) + "], got " +
                       c10::str(log10_density.sizes()));
    tensor::save((fs::path(folder) / kSparsityFile).string(), {{"sparsity", out(log10_density)}}, {{"format", "pt"}});
  }
  util::write_file_atomic((fs::path(folder) / kCfgFile).string(), saelens_cfg(sae.config).dump(2) + "\n");
}

Sae load_sae(const std::string& path) {
  const fs::path where(path);
  const fs::path gemma_scope = fs::is_directory(where) ? where / kGemmaScopeFile : where;
  Sae sae;
  std::string weights_path;
  if (fs::is_directory(where) && fs::exists(where / kCfgFile)) {
    const std::string cfg_path = (where / kCfgFile).string();
    sae.config = config_from_saelens(util::parse_json_file(cfg_path), cfg_path);
    weights_path = (where / kWeightsFile).string();
    const io::SafeTensors file = io::SafeTensors::open(weights_path);
    check_sae_weights(file, sae.config, SaeLayout::SaeLens, weights_path);
    sae.W_enc = stored(file, "W_enc");
    sae.W_dec = stored(file, "W_dec");
    sae.b_enc = stored(file, "b_enc");
    sae.b_dec = stored(file, "b_dec");
    if (sae.config.kind == SaeKind::JumpRelu) sae.threshold = stored(file, "threshold");
  } else if (fs::is_regular_file(gemma_scope) && gemma_scope.extension() == ".safetensors") {
    weights_path = gemma_scope.string();
    const io::SafeTensors file = io::SafeTensors::open(weights_path);
    if (!file.contains("w_enc"))
      throw FormatError(weights_path + " has no 'w_enc' tensor; a Gemma Scope file holds w_enc, w_dec, b_enc, b_dec "
                        "and threshold");
    const std::vector<int64_t>& shape = file.at("w_enc").shape;  // [d_in, d_sae]
    if (shape.size() != 2) throw FormatError(weights_path + ": 'w_enc' must be a matrix [d_in, d_sae]");
    try {
      check_sae_size(shape[0], shape[1], "'w_enc' gives");
    } catch (const InputError& error) {
      throw FormatError(weights_path + ": " + error.what());
    }
    sae.config.kind = SaeKind::JumpRelu;
    sae.config.apply_b_dec_to_input = false;
    sae.config.d_in = shape[0];
    sae.config.d_sae = shape[1];
    check_sae_weights(file, sae.config, SaeLayout::GemmaScope, weights_path);
    sae.W_enc = stored(file, "w_enc");
    sae.W_dec = stored(file, "w_dec");
    sae.b_enc = stored(file, "b_enc");
    sae.b_dec = stored(file, "b_dec");
    sae.threshold = stored(file, "threshold");
  } else {
    throw InputError(path + " is not an SAE: expected a folder with " + kCfgFile + " and " + kWeightsFile +
                     " (SAELens) or a " + kGemmaScopeFile + " (Gemma Scope)");
  }
  check_loaded(sae, weights_path);
  return sae;
}

torch::Tensor load_log10_density(const std::string& folder) {
  const fs::path file = fs::path(folder) / kSparsityFile;
  if (!fs::exists(file)) return {};
  return tensor::load(file.string(), "sparsity").to(torch::kFloat32);
}

}  // namespace loupe::sae
