// Options shared by every command that runs a model: which model, on what device and dtype, and
// which image and prompt.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "app/cli/args.h"
#include "core/model/inputs.h"
#include "core/model/lora.h"
#include "core/model/vlm.h"
#include "core/study/steering.h"
#include "core/workspace/workspace.h"

namespace loupe::cli {

std::vector<OptionSpec> model_options();  // --model --dtype --device
std::vector<OptionSpec> input_options();  // --image --pixels --prompt --lang --ids

// --model, or the bundled demo model when absent.
std::string model_folder(const Args& args);
model::LoadOptions load_options(const Args& args);
model::InputSpec input_spec(const Args& args);
Language language_option(const Args& args);  // --lang en|ar, English by default

// --steer HOOK=FILE.safetensors:KEY@ALPHA[@POSITIONS][@MODE] (repeatable; study::parse_steer),
// checked against the model's config.
std::vector<study::Steer> steers_option(const Args& args, const io::ModelConfig& config);
// Adds them at the chosen positions of a prompt with these token types [1, T].
void add_steering(const Args& args, const model::VlmImpl& vlm, const torch::Tensor& token_types, int64_t max_new_tokens,
                  model::HookSet& hooks);
OptionSpec steer_option();  // the --steer option's help

// --adapter DIR: a LoRA adapter folder (PEFT layout, core/model/lora_files.h) loaded for `vlm`
// (read from model_folder). Null when the option is absent.
std::shared_ptr<const model::LoraAdapter> adapter_option(const Args& args, const model::VlmImpl& vlm,
                                                         const std::string& model_folder);
// The folder a workspace command's --adapter NAME|DIR names: W/adapters/NAME when `space` has an
// adapter of that name, else the folder given.
std::string adapter_folder(const std::string& value, const workspace::Workspace* space);
OptionSpec adapter_help();  // the --adapter option's help

// Joins option lists.
std::vector<OptionSpec> options(std::initializer_list<std::vector<OptionSpec>> groups);

}  // namespace loupe::cli
