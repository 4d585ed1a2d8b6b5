#include "core/sae/sae_io.h"

#include <filesystem>
#include <regex>
#include <set>

#include "core/error.h"
#include "core/io/safetensors.h"
#include "core/tensor/convert.h"
#include "core/util/atomic_file.h"
#include "core/util/json_fields.h"

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

// A weight of `file` (named `path` in errors) as float32: it must be there and be floating point.
torch::Tensor stored(const io::SafeTensors& file, const std::string& path, const std::string& key) {
  if (!file.contains(key)) throw FormatError(path + " has no '" + key + "' tensor");
  const io::TensorView& view = file.at(key);
  if (view.dtype != io::DType::F32 && view.dtype != io::DType::F16 && view.dtype != io::DType::BF16 &&
      view.dtype != io::DType::F64)
    throw FormatError(path + ": '" + key + "' has dtype " + io::dtype_name(view.dtype) +
                      "; an SAE's tensors are F32, F16, BF16 or F64");
  return tensor::view_of(view).to(torch::kFloat32).clone();
}

// The checks every loaded SAE passes, with the weights file named: shapes, then finite values.
void check_loaded(const Sae& sae, const std::string& path) {
  try {
    sae.check();
    sae.check_finite();
  } catch (const FormatError& error) {
    throw FormatError(path + ": " + error.what());
  }
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
  const util::JsonFields fields(cfg, source);
  SaeConfig config;
  // SAELens 6 keeps model and hook under "metadata"; earlier versions keep them at the top level.
  const util::JsonFields meta = fields.has("metadata") ? fields.object("metadata") : fields;
  const std::string architecture = fields.string("architecture", "standard");
  const std::string activation = fields.string("activation_fn_str", fields.string("activation_fn", "relu"));
  if (!(architecture == "standard" || architecture == "topk" || architecture == "jumprelu"))
    fields.fail("SAE architecture '" + architecture +
                "' is not supported; loupe runs standard (ReLU), topk and jumprelu SAEs");
  config.d_in = fields.integer_in("d_in", 1, kMaxSaeInputWidth);
  config.d_sae = fields.integer_in("d_sae", 1, kMaxSaeLatents);
  if (config.d_in > kMaxSaeParameters / config.d_sae)
    fields.fail("`d_in` " + std::to_string(config.d_in) + " x `d_sae` " + std::to_string(config.d_sae) +
                " weights per matrix; at most " + std::to_string(kMaxSaeParameters) + " are supported");
  if (architecture == "topk" || activation == "topk") {
    config.kind = SaeKind::TopK;
    const util::JsonFields kwargs = fields.section("activation_fn_kwargs");
    if (fields.has("k")) config.k = fields.integer_in("k", 1, config.d_sae, "(d_sae)");
    else if (kwargs.has("k")) config.k = kwargs.integer_in("k", 1, config.d_sae, "(d_sae)");
    else fields.fail("a TopK SAE needs k (\"k\" or \"activation_fn_kwargs\": {\"k\": ...})");
  } else if (activation != "relu") {
    fields.fail("activation '" + activation + "' is not supported (relu or topk)");
  } else {
    config.kind = architecture == "jumprelu" ? SaeKind::JumpRelu : SaeKind::Relu;
  }
  config.apply_b_dec_to_input = fields.boolean("apply_b_dec_to_input", true);
  if (fields.boolean("finetuning_scaling_factor", false))
    fields.fail("SAEs with a finetuning_scaling_factor are not supported");
  const nlohmann::json& normalize = fields.value("normalize_activations");
  if (!(normalize.is_null() || normalize == "none" || normalize == false))
    fields.fail("`normalize_activations` " + util::describe_json(normalize) +
                " needs a run-time scale loupe does not apply; fold it into the weights first "
                "(SAELens: fold_activation_norm_scaling_factor) and save with \"none\"");
  if (fields.boolean("rescale_acts_by_decoder_norm", false))
    fields.fail("rescale_acts_by_decoder_norm is not supported; fold the decoder norms first");
  config.hook_name = meta.string("hook_name", meta.string("hook_point", std::string()));
  config.model_name = meta.string("model_name", std::string());
  config.dtype = fields.string("dtype", "float32");
  try {
    tensor::parse_dtype(config.dtype);
  } catch (const InputError&) {
    fields.fail("`dtype` must be float32, bfloat16 or float16, not " + util::describe_json(fields.value("dtype")));
  }
  config.input_scale = fields.section("loupe").positive("input_scale", 1.0, 1e30);
  fields.string("loupe_positions", "text");  // the store's position rule, read by eval-sae: a string
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
  std::string weights_path;
  if (fs::is_directory(where) && fs::exists(where / kCfgFile)) {
    const std::string cfg_path = (where / kCfgFile).string();
    sae.config = config_from_saelens(util::parse_json_file(cfg_path), cfg_path);
    weights_path = (where / kWeightsFile).string();
    const io::SafeTensors file = io::SafeTensors::open(weights_path);
    sae.W_enc = stored(file, weights_path, "W_enc");
    sae.W_dec = stored(file, weights_path, "W_dec");
    sae.b_enc = stored(file, weights_path, "b_enc");
    sae.b_dec = stored(file, weights_path, "b_dec");
    if (sae.config.kind == SaeKind::JumpRelu) sae.threshold = stored(file, weights_path, "threshold");
  } else if (fs::is_regular_file(gemma_scope) && gemma_scope.extension() == ".safetensors") {
    weights_path = gemma_scope.string();
    const io::SafeTensors file = io::SafeTensors::open(weights_path);
    for (const char* key : {"w_enc", "w_dec", "b_enc", "b_dec", "threshold"})
      if (!file.contains(key))
        throw FormatError(weights_path + " has no '" + key +
                          "' tensor; a Gemma Scope file holds w_enc, w_dec, b_enc, b_dec and threshold");
    const std::vector<int64_t>& shape = file.at("w_enc").shape;  // [d_in, d_sae]
    if (shape.size() != 2) throw FormatError(weights_path + ": 'w_enc' must be a matrix [d_in, d_sae]");
    try {
      check_sae_size(shape[0], shape[1], "'w_enc' gives");
    } catch (const InputError& error) {
      throw FormatError(weights_path + ": " + error.what());
    }
    sae.W_enc = stored(file, weights_path, "w_enc");
    sae.W_dec = stored(file, weights_path, "w_dec");
    sae.b_enc = stored(file, weights_path, "b_enc");
    sae.b_dec = stored(file, weights_path, "b_dec");
    sae.threshold = stored(file, weights_path, "threshold");
    sae.config.kind = SaeKind::JumpRelu;
    sae.config.apply_b_dec_to_input = false;
    sae.config.d_in = shape[0];
    sae.config.d_sae = shape[1];
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
