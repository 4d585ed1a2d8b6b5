#include "core/sae/sae_io.h"

#include <filesystem>
#include <regex>
#include <set>

#include "core/error.h"
#include "core/io/safetensors.h"
#include "core/tensor/convert.h"
#include "core/util/atomic_file.h"

namespace loupe::sae {

namespace {

namespace fs = std::filesystem;

// The layer number in a TransformerLens hook name ("blocks.3.hook_resid_post" → 3), 0 outside blocks.
int64_t hook_layer(const std::string& hook_name) {
  static const std::regex blocks(R"((?:^|\.)blocks\.(\d+)\.)");
  std::smatch match;
  return std::regex_search(hook_name, match, blocks) ? std::stoll(match[1]) : 0;
}

// cfg.json fields loupe writes itself; everything else in a read config survives in `extra`.
const std::set<std::string>& owned_fields() {
  static const std::set<std::string> fields{
      "architecture", "d_in", "d_sae", "dtype", "device", "model_name", "hook_name", "hook_layer", "hook_head_index",
      "activation_fn_str", "activation_fn", "activation_fn_kwargs", "apply_b_dec_to_input", "finetuning_scaling_factor",
      "normalize_activations", "k", "metadata", "loupe", "sae_lens_version", "reshape_activations"};
  return fields;
}

template <typename T>
T field(const nlohmann::json& object, const char* name, const std::string& source) {
  if (!object.contains(name) || object[name].is_null())
    throw FormatError(source + " has no '" + name + "' field; is it an SAELens cfg.json?");
  try {
    return object[name].get<T>();
  } catch (const nlohmann::json::exception&) {
    throw FormatError(source + ": field '" + name + "' has the wrong type (" + object[name].dump() + ")");
  }
}

torch::Tensor stored(const io::SafeTensors& file, const std::string& key) {
  return tensor::view_of(file.at(key)).to(torch::kFloat32).clone();
}

}  // namespace

nlohmann::json saelens_cfg(const SaeConfig& config) {
  nlohmann::json cfg = config.extra.is_object() ? config.extra : nlohmann::json::object();
  const bool topk = config.kind == SaeKind::TopK;
  cfg["architecture"] = config.kind == SaeKind::Relu ? "standard" : kind_name(config.kind);
  cfg["d_in"] = config.d_in;
  cfg["d_sae"] = config.d_sae;
  cfg["dtype"] = config.dtype;
  cfg["device"] = "cpu";
  cfg["model_name"] = config.model_name;
  cfg["hook_name"] = config.hook_name;
  cfg["hook_layer"] = hook_layer(config.hook_name);
  cfg["hook_head_index"] = nullptr;
  cfg["activation_fn_str"] = topk ? "topk" : "relu";
  cfg["activation_fn_kwargs"] = topk ? nlohmann::json{{"k", config.k}} : nlohmann::json::object();
  cfg["apply_b_dec_to_input"] = config.apply_b_dec_to_input;
  cfg["finetuning_scaling_factor"] = false;
  cfg["normalize_activations"] = "none";  // the training scale is folded into the weights
  // Fields SAELens 5 requires; loupe fills the ones it has no value for with SAELens' defaults.
  const nlohmann::json defaults{{"context_size", 0},
                                {"prepend_bos", true},
                                {"dataset_path", ""},
                                {"dataset_trust_remote_code", true},
                                {"sae_lens_training_version", nullptr},
                                {"neuronpedia_id", nullptr},
                                {"model_from_pretrained_kwargs", nlohmann::json::object()},
                                {"seqpos_slice", nlohmann::json::array({nullptr})}};
  for (const auto& [key, value] : defaults.items())
    if (!cfg.contains(key)) cfg[key] = value;
  cfg["loupe"] = {{"kind", kind_name(config.kind)}, {"input_scale", config.input_scale}};
  return cfg;
}

SaeConfig config_from_saelens(const nlohmann::json& cfg, const std::string& source) {
  if (!cfg.is_object()) throw FormatError(source + " is not a JSON object");
  SaeConfig config;
  // SAELens 6 keeps model and hook under "metadata"; earlier versions keep them at the top level.
  const nlohmann::json& meta = cfg.contains("metadata") && cfg["metadata"].is_object() ? cfg["metadata"] : cfg;
  const std::string architecture = cfg.value("architecture", "standard");
  std::string activation = cfg.value("activation_fn_str", cfg.value("activation_fn", "relu"));
  if (architecture == "gated" || !(architecture == "standard" || architecture == "topk" || architecture == "jumprelu"))
    throw FormatError(source + ": SAE architecture '" + architecture +
                      "' is not supported; loupe runs standard (ReLU), topk and jumprelu SAEs");
  config.d_in = field<int64_t>(cfg, "d_in", source);
  config.d_sae = field<int64_t>(cfg, "d_sae", source);
  if (architecture == "topk" || activation == "topk") {
    config.kind = SaeKind::TopK;
    if (cfg.contains("k") && !cfg["k"].is_null()) config.k = field<int64_t>(cfg, "k", source);
    else if (cfg.contains("activation_fn_kwargs") && cfg["activation_fn_kwargs"].contains("k"))
      config.k = cfg["activation_fn_kwargs"]["k"].get<int64_t>();
    else throw FormatError(source + ": a TopK SAE needs k (\"k\" or \"activation_fn_kwargs\": {\"k\": ...})");
  } else if (activation != "relu") {
    throw FormatError(source + ": activation '" + activation + "' is not supported (relu or topk)");
  } else {
    config.kind = architecture == "jumprelu" ? SaeKind::JumpRelu : SaeKind::Relu;
  }
  config.apply_b_dec_to_input = cfg.value("apply_b_dec_to_input", true);
  if (cfg.value("finetuning_scaling_factor", false))
    throw FormatError(source + ": SAEs with a finetuning_scaling_factor are not supported");
  const nlohmann::json normalize = cfg.value("normalize_activations", nlohmann::json("none"));
  if (!(normalize.is_null() || normalize == "none" || normalize == false))
    throw FormatError(source + ": normalize_activations " + normalize.dump() +
                      " needs a run-time scale loupe does not apply; fold it into the weights first "
                      "(SAELens: fold_activation_norm_scaling_factor) and save with \"none\"");
  if (cfg.value("rescale_acts_by_decoder_norm", false))
    throw FormatError(source + ": rescale_acts_by_decoder_norm is not supported; fold the decoder norms first");
  config.hook_name = meta.value("hook_name", meta.value("hook_point", std::string()));
  config.model_name = meta.value("model_name", std::string());
  config.dtype = cfg.value("dtype", std::string("float32"));
  if (cfg.contains("loupe") && cfg["loupe"].is_object()) config.input_scale = cfg["loupe"].value("input_scale", 1.0);
  for (const auto& [key, value] : cfg.items())
    if (!owned_fields().count(key)) config.extra[key] = value;
  return config;
}

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
  if (fs::is_directory(where) && fs::exists(where / kCfgFile)) {
    const std::string cfg_path = (where / kCfgFile).string();
    nlohmann::json cfg;
    try {
      cfg = nlohmann::json::parse(util::read_file(cfg_path));
    } catch (const nlohmann::json::parse_error& error) {
      throw FormatError(cfg_path + " is not valid JSON: " + error.what());
    }
    sae.config = config_from_saelens(cfg, cfg_path);
    const io::SafeTensors file = io::SafeTensors::open((where / kWeightsFile).string());
    sae.W_enc = stored(file, "W_enc");
    sae.W_dec = stored(file, "W_dec");
    sae.b_enc = stored(file, "b_enc");
    sae.b_dec = stored(file, "b_dec");
    if (sae.config.kind == SaeKind::JumpRelu) sae.threshold = stored(file, "threshold");
  } else if (fs::is_regular_file(gemma_scope) && gemma_scope.extension() == ".safetensors") {
    const io::SafeTensors file = io::SafeTensors::open(gemma_scope.string());
    for (const char* key : {"w_enc", "w_dec", "b_enc", "b_dec", "threshold"})
      if (!file.contains(key))
        throw FormatError(gemma_scope.string() + " has no '" + key +
                          "' tensor; a Gemma Scope file holds w_enc, w_dec, b_enc, b_dec and threshold");
    sae.W_enc = stored(file, "w_enc");
    sae.W_dec = stored(file, "w_dec");
    sae.b_enc = stored(file, "b_enc");
    sae.b_dec = stored(file, "b_dec");
    sae.threshold = stored(file, "threshold");
    sae.config.kind = SaeKind::JumpRelu;
    sae.config.apply_b_dec_to_input = false;
    sae.config.d_in = sae.W_enc.dim() == 2 ? sae.W_enc.size(0) : 0;
    sae.config.d_sae = sae.W_enc.dim() == 2 ? sae.W_enc.size(1) : 0;
  } else {
    throw InputError(path + " is not an SAE: expected a folder with " + kCfgFile + " and " + kWeightsFile +
                     " (SAELens) or a " + kGemmaScopeFile + " (Gemma Scope)");
  }
  sae.check();
  return sae;
}

torch::Tensor load_log10_density(const std::string& folder) {
  const fs::path file = fs::path(folder) / kSparsityFile;
  if (!fs::exists(file)) return {};
  return tensor::load(file.string(), "sparsity").to(torch::kFloat32);
}

}  // namespace loupe::sae
