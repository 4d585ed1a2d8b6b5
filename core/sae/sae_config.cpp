#include "core/sae/sae_config.h"

#include <regex>
#include <set>
#include <vector>

#include "core/error.h"
#include "core/util/json_fields.h"

namespace loupe::sae {

namespace {

// The layer number in a TransformerLens hook name ("blocks.3.hook_resid_post" → 3), 0 outside blocks.
int64_t hook_layer(const std::string& hook_name) {
  static const std::regex blocks(R"((?:^|\.)blocks\.(\d{1,9})\.)");
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

// The dtype words tensor::parse_dtype reads (save_sae writes the weights in that dtype).
bool is_weight_dtype_word(const std::string& word) {
  static const std::set<std::string> words{"f32", "float32", "fp32", "bf16", "bfloat16", "f16", "float16", "fp16"};
  return words.count(word) > 0;
}

}  // namespace

const char* kind_name(SaeKind kind) {
  switch (kind) {
    case SaeKind::Relu: return "relu";
    case SaeKind::TopK: return "topk";
    case SaeKind::JumpRelu: return "jumprelu";
  }
  return "?";
}

SaeKind parse_kind(const std::string& word) {
  if (word == "relu" || word == "standard") return SaeKind::Relu;
  if (word == "topk") return SaeKind::TopK;
  if (word == "jumprelu") return SaeKind::JumpRelu;
  throw InputError("unknown SAE kind '" + word + "'; the kinds are relu, topk and jumprelu");
}

void check_sae_size(int64_t d_in, int64_t d_sae, const std::string& what) {
  if (d_in < 1 || d_in > kMaxSaeInputWidth)
    throw InputError(what + " d_in " + std::to_string(d_in) + "; an SAE's d_in must be from 1 to " +
                     std::to_string(kMaxSaeInputWidth));
  if (d_sae < 1 || d_sae > kMaxSaeLatents)
    throw InputError(what + " d_sae " + std::to_string(d_sae) + "; an SAE's d_sae must be from 1 to " +
                     std::to_string(kMaxSaeLatents));
  if (d_in > kMaxSaeParameters / d_sae)
    throw InputError(what + " d_in " + std::to_string(d_in) + " x d_sae " + std::to_string(d_sae) +
                     " weights per matrix; at most " + std::to_string(kMaxSaeParameters) + " are supported");
}

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
  if (!is_weight_dtype_word(config.dtype))
    fields.fail("`dtype` must be float32, bfloat16 or float16, not " + util::describe_json(fields.value("dtype")));
  config.input_scale = fields.section("loupe").positive("input_scale", 1.0, 1e30);
  fields.string("loupe_positions", "text");  // the store's position rule, read by eval-sae: a string
  for (const auto& [key, value] : cfg.items())
    if (!owned_fields().count(key)) config.extra[key] = value;
  return config;
}

void check_sae_weights(const io::SafeTensors& file, const SaeConfig& config, SaeLayout layout, const std::string& path) {
  const bool lower = layout == SaeLayout::GemmaScope;
  const int64_t d_in = config.d_in, d_sae = config.d_sae;
  std::vector<std::pair<std::string, std::vector<int64_t>>> expected{{lower ? "w_enc" : "W_enc", {d_in, d_sae}},
                                                                     {lower ? "w_dec" : "W_dec", {d_sae, d_in}},
                                                                     {"b_enc", {d_sae}},
                                                                     {"b_dec", {d_in}}};
  if (config.kind == SaeKind::JumpRelu) expected.push_back({"threshold", {d_sae}});
  auto shape_text = [](const std::vector<int64_t>& shape) {
    std::string text;
    for (int64_t size : shape) text += (text.empty() ? "" : ", ") + std::to_string(size);
    return "[" + text + "]";
  };
  for (const auto& [name, shape] : expected) {
    if (!file.contains(name)) throw FormatError(path + " has no '" + name + "' tensor");
    const io::TensorView& view = file.at(name);
    if (view.dtype != io::DType::F32 && view.dtype != io::DType::F16 && view.dtype != io::DType::BF16 &&
        view.dtype != io::DType::F64)
      throw FormatError(path + ": '" + name + "' has dtype " + io::dtype_name(view.dtype) +
                        "; an SAE's tensors are F32, F16, BF16 or F64");
    if (view.shape != shape)
      throw FormatError(path + ": '" + name + "' has shape " + shape_text(view.shape) + ", expected " + shape_text(shape) +
                        " for d_in " + std::to_string(d_in) + " and d_sae " + std::to_string(d_sae));
  }
}

}  // namespace loupe::sae
