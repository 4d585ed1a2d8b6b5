// Options shared by every command that runs a model: which model, on what device and dtype, and
// which image and prompt.
#pragma once
#include <string>
#include <vector>

#include "app/cli/args.h"
#include "core/model/inputs.h"
#include "core/model/vlm.h"

namespace loupe::cli {

std::vector<OptionSpec> model_options();  // --model --dtype --device
std::vector<OptionSpec> input_options();  // --image --pixels --prompt --lang --ids

// --model, or the bundled demo model when absent.
std::string model_folder(const Args& args);
model::LoadOptions load_options(const Args& args);
model::InputSpec input_spec(const Args& args);

// --steer HOOK=FILE.safetensors:KEY@ALPHA (repeatable): adds alpha · vector at every position.
// Checks the hook and the vector's width before any work.
void add_steering(const Args& args, const io::ModelConfig& config, model::HookSet& hooks);

// Joins option lists.
std::vector<OptionSpec> options(std::initializer_list<std::vector<OptionSpec>> groups);

}  // namespace loupe::cli
