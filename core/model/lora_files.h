// LoRA adapters on disk in PEFT's layout, so `peft.PeftModel.from_pretrained(model, FOLDER)` loads
// what loupe trains and loupe loads what PEFT saves:
//   adapter_config.json        peft_type "LORA", r, lora_alpha, lora_dropout, target_modules (the
//                              adapted modules' full transformers paths), bias "none",
//                              base_model_name_or_path, task_type "CAUSAL_LM", and PEFT's defaults
//   adapter_model.safetensors  base_model.model.<module path>.lora_A.weight [r, in] and
//                              ...lora_B.weight [out, r]; metadata "format": "pt" and
//                              "loupe.base_config_sha256", the SHA-256 of the base model's config.json
// Module paths are transformers 5's (model.language_model.layers.0.self_attn.q_proj); the older
// spelling (language_model.model.layers...) reads as well.
#pragma once
#include <memory>
#include <string>

#include "core/model/lora.h"
#include "core/model/vlm.h"

namespace loupe::model {

inline constexpr const char* kAdapterConfigName = "adapter_config.json";
inline constexpr const char* kAdapterWeightsName = "adapter_model.safetensors";

// Writes the two files into `folder` (created when absent), each atomically. `model_folder` is the
// base model's folder: its absolute path becomes base_model_name_or_path and its config.json's
// checksum the adapter's base check.
void save_peft_adapter(const LoraAdapter& adapter, const std::string& folder, const std::string& model_folder);

// Reads an adapter for `model`, loaded from `model_folder`. Throws InputError for a folder without
// the two files, a config that is not LoRA or asks for what loupe does not compute (bias other than
// "none", DoRA, rsLoRA, fan_in_fan_out, per-module ranks), an adapter made for another base model
// (its recorded config checksum differs from model_folder's config.json), or a module the model
// lacks or whose shapes differ; FormatError for files that do not parse.
std::shared_ptr<LoraAdapter> load_peft_adapter(const std::string& folder, const VlmImpl& model, const std::string& model_folder);

// A new model folder `out` = the base model with the adapter merged into its weights
// (W + alpha/r · B A): every file of model_folder except its weights copied, the weights written as
// one model.safetensors in canonical names, and config.json given a "loupe_merged_lora" record (base
// folder, r, lora_alpha, module count), which also makes the adapter refuse the merged model. Built
// in a sibling folder and renamed into place, so a failure leaves nothing; throws InputError when
// `out` exists.
void write_merged_model(const VlmImpl& model, const std::string& model_folder, const LoraAdapter& adapter, const std::string& out);

}  // namespace loupe::model
