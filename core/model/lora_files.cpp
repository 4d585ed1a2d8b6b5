#include "core/model/lora_files.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/eval/caption_words.h"
#include "core/io/safetensors.h"
#include "core/model/weights.h"
#include "core/store/sha256.h"
#include "core/util/atomic_file.h"

namespace loupe::model {

namespace {

namespace fs = std::filesystem;

constexpr const char* kKeyPrefix = "base_model.model.";
constexpr const char* kBaseChecksumKey = "loupe.base_config_sha256";

std::string config_checksum(const std::string& model_folder) {
  return store::sha256_file((fs::path(model_folder) / "config.json").string());
}

nlohmann::json read_adapter_config(const fs::path& path) {
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(util::read_file(path.string()));
  } catch (const nlohmann::json::exception& error) {
    throw FormatError(path.string() + " is not JSON: " + error.what());
  }
  if (!config.is_object()) throw FormatError(path.string() + " is not a JSON object");
  return config;
}

// The options of a PEFT LoRA config that change what the adapter computes and that loupe does not
// compute; each must be absent or at its default.
void refuse_unsupported(const nlohmann::json& config, const std::string& path) {
  auto is = [&](const char* key, const nlohmann::json& value) { return !config.contains(key) || config[key].is_null() || config[key] == value; };
  if (config.value("peft_type", "") != "LORA")
    throw InputError(path + ": peft_type is " + config.value("peft_type", std::string("missing")) + ", not LORA");
  if (!is("bias", "none")) throw InputError(path + ": bias " + config["bias"].dump() + " is not supported (only \"none\")");
  if (!is("use_dora", false)) throw InputError(path + ": DoRA adapters (use_dora) are not supported");
  if (!is("use_rslora", false)) throw InputError(path + ": rsLoRA scaling (use_rslora) is not supported");
  if (!is("fan_in_fan_out", false)) throw InputError(path + ": fan_in_fan_out adapters (Conv1D layers) are not supported");
  for (const char* key : {"rank_pattern", "alpha_pattern"})
    if (config.contains(key) && !config[key].is_null() && !config[key].empty())
      throw InputError(path + ": per-module ranks or alphas (" + key + ") are not supported");
  if (!config.contains("r") || !config["r"].is_number_integer()) throw FormatError(path + ": r (the rank) is missing or not an integer");
  if (!config.contains("lora_alpha") || !config["lora_alpha"].is_number()) throw FormatError(path + ": lora_alpha is missing or not a number");
}

}  // namespace

void save_peft_adapter(const LoraAdapter& adapter, const std::string& folder, const std::string& model_folder) {
  fs::create_directories(folder);
  nlohmann::json targets = nlohmann::json::array();
  for (const std::string& module : adapter.modules()) targets.push_back(hf_module_path(module));
  const LoraSettings& settings = adapter.settings();
  const nlohmann::ordered_json config = {
      {"peft_type", "LORA"},
      {"task_type", "CAUSAL_LM"},
      {"base_model_name_or_path", fs::absolute(model_folder).lexically_normal().string()},
      {"r", settings.rank},
      {"lora_alpha", settings.alpha},
      {"lora_dropout", settings.dropout},
      {"target_modules", targets},
      {"bias", "none"},
      {"fan_in_fan_out", false},
      {"inference_mode", true},
      {"init_lora_weights", true},
      {"modules_to_save", nullptr},
      {"layers_to_transform", nullptr},
      {"use_rslora", false},
      {"use_dora", false},
      {"revision", nullptr}};
  tensor::NamedTensors tensors;
  for (const auto& [name, value] : adapter.parameters()) {
    const size_t dot = name.rfind('.');  // MODULE.lora_A
    tensors.emplace_back(kKeyPrefix + hf_module_path(name.substr(0, dot)) + name.substr(dot) + ".weight", value.detach());
  }
  tensor::save((fs::path(folder) / kAdapterWeightsName).string(), tensors,
               {{"format", "pt"}, {kBaseChecksumKey, config_checksum(model_folder)}});
  util::write_file_atomic((fs::path(folder) / kAdapterConfigName).string(), config.dump(2) + "\n");
}

std::shared_ptr<LoraAdapter> load_peft_adapter(const std::string& folder, const VlmImpl& model, const std::string& model_folder) {
  const fs::path config_path = fs::path(folder) / kAdapterConfigName, weights_path = fs::path(folder) / kAdapterWeightsName;
  for (const fs::path& path : {config_path, weights_path})
    if (!fs::is_regular_file(path))
      throw InputError(folder + " is not a LoRA adapter folder: it has no " + path.filename().string() +
                       " (train one with `loupe finetune`, or save one with PEFT's save_pretrained)");
  const nlohmann::json config = read_adapter_config(config_path);
  refuse_unsupported(config, config_path.string());
  const auto file = io::SafeTensors::open(weights_path.string());
  auto recorded = file.metadata().find(kBaseChecksumKey);
  if (recorded != file.metadata().end() && recorded->second != config_checksum(model_folder))
    throw InputError(folder + " is an adapter for another base model (" + config.value("base_model_name_or_path", std::string("?")) +
                     "): its recorded config.json checksum differs from " + (fs::path(model_folder) / "config.json").string());

  LoraSettings settings;
  settings.rank = config["r"].get<int64_t>();
  settings.alpha = config["lora_alpha"].get<double>();
  settings.dropout = config.value("lora_dropout", 0.0);
  std::map<std::string, std::pair<std::string, std::string>> keys_by_module;  // module → (A key, B key)
  for (const std::string& key : file.names()) {
    const bool is_a = eval::ends_with(key, ".lora_A.weight"), is_b = eval::ends_with(key, ".lora_B.weight");
    if (key.rfind(kKeyPrefix, 0) != 0 || !(is_a || is_b))
      throw InputError(weights_path.string() + ": '" + key + "' is not a LoRA weight (base_model.model.<module>.lora_A.weight or lora_B)");
    const std::string path = key.substr(std::string(kKeyPrefix).size(), key.size() - std::string(kKeyPrefix).size() - 14);
    const std::string weight = canonical_weight_name(path + ".weight");
    auto& slot = keys_by_module[weight.substr(0, weight.size() - 7)];
    (is_a ? slot.first : slot.second) = key;
  }
  if (keys_by_module.empty()) throw InputError(weights_path.string() + " holds no LoRA weights");
  std::map<std::string, size_t> model_order;  // module → its place among the model's modules
  for (const auto& item : model.named_modules("", false)) model_order.emplace(item.key(), model_order.size());
  std::vector<std::pair<std::string, std::pair<std::string, std::string>>> ordered(keys_by_module.begin(), keys_by_module.end());
  std::stable_sort(ordered.begin(), ordered.end(), [&](const auto& x, const auto& y) {
    const auto at_x = model_order.find(x.first), at_y = model_order.find(y.first);
    return (at_x == model_order.end() ? model_order.size() : at_x->second) < (at_y == model_order.end() ? model_order.size() : at_y->second);
  });
  std::vector<std::string> modules;  // in model order, as a trained adapter lists them
  std::vector<torch::Tensor> a, b;
  for (const auto& [module, keys] : ordered) {
    if (keys.first.empty() || keys.second.empty())
      throw InputError(weights_path.string() + ": " + module + " has a lora_" + (keys.first.empty() ? "B" : "A") + " weight but no lora_" +
                       (keys.first.empty() ? "A" : "B"));
    modules.push_back(module);
    a.push_back(tensor::view_of(file.at(keys.first)));
    b.push_back(tensor::view_of(file.at(keys.second)));
  }
  return std::make_shared<LoraAdapter>(model, modules, settings, a, b);
}

void write_merged_model(const VlmImpl& model, const std::string& model_folder, const LoraAdapter& adapter, const std::string& out) {
  if (fs::exists(out)) throw InputError(out + " already exists; merge into a new folder");
  const fs::path target = fs::absolute(out);
  const fs::path building = target.parent_path() / ("." + target.filename().string() + ".merging");
  try {
    fs::remove_all(building);
    fs::create_directories(building);
    for (const auto& entry : fs::directory_iterator(model_folder)) {
      const std::string name = entry.path().filename().string();
      const bool weights = eval::ends_with(name, ".safetensors") || name == "model.safetensors.index.json";
      if (entry.is_regular_file() && !weights && name != "config.json") fs::copy_file(entry.path(), building / name);
    }
    // The record of the merge changes config.json's checksum, so the adapter (made for the base)
    // is refused on the merged model instead of being applied twice.
    nlohmann::ordered_json config = nlohmann::ordered_json::parse(util::read_file((fs::path(model_folder) / "config.json").string()));
    config["loupe_merged_lora"] = {{"base_model", fs::absolute(model_folder).lexically_normal().string()},
                                   {"r", adapter.settings().rank},
                                   {"lora_alpha", adapter.settings().alpha},
                                   {"modules", adapter.modules().size()}};
    util::write_file_atomic((building / "config.json").string(), config.dump(2) + "\n");
    std::map<std::string, torch::Tensor> merged;
    for (const auto& [name, value] : adapter.merged_weights()) merged[name] = value;
    tensor::NamedTensors weights;
    for (const auto& item : model.named_parameters()) {
      auto found = merged.find(item.key());
      weights.emplace_back(item.key(), found == merged.end() ? item.value().detach() : found->second);
    }
    tensor::save((building / "model.safetensors").string(), weights, {{"format", "pt"}});
    fs::rename(building, target);
  } catch (const fs::filesystem_error& error) {
    std::error_code ignored;
    fs::remove_all(building, ignored);
    throw IoError("cannot write the merged model " + target.string() + ": " + error.code().message());
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(building, ignored);
    throw;
  }
}

}  // namespace loupe::model
