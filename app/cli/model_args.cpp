#include "app/cli/model_args.h"

#include <filesystem>

#include "core/error.h"
#include "core/model/hook_names.h"
#include "core/model/lora_files.h"
#include "core/study/steering.h"
#include "core/tensor/convert.h"

namespace loupe::cli {

std::vector<OptionSpec> model_options() {
  return {{"model", "DIR", "Hugging Face model folder (default: the bundled demo model)"},
          {"dtype", "f32|bf16", "compute dtype (default f32)"},
          {"device", "cpu|cuda", "where to run (default cpu)"}};
}

std::vector<OptionSpec> input_options() {
  return {{"image", "PATH", "an image file, preprocessed as the model's HF processor does"},
          {"pixels", "FILE:KEY", "stored pixel values instead of --image"},
          {"prompt", "TEXT", "the question (default: the captioning question in --lang)"},
          {"lang", "en|ar", "language of the default question (default en)"},
          {"ids", "LIST|@FILE", "raw prompt ids instead of --prompt: 2,43,... or @ids.json"}};
}

std::string model_folder(const Args& args) { return args.get_or("model", LOUPE_DEMO_MODEL); }

std::string adapter_folder(const std::string& value, const workspace::Workspace* space) {
  if (space && value.find('/') == std::string::npos && std::filesystem::is_directory(space->adapter_dir(value)))
    return space->adapter_dir(value).string();
  return value;
}

std::shared_ptr<const model::LoraAdapter> adapter_option(const Args& args, const model::VlmImpl& vlm,
                                                         const std::string& model_folder) {
  if (!args.has("adapter")) return nullptr;
  return model::load_peft_adapter(args.get("adapter"), vlm, model_folder);
}

OptionSpec adapter_help() {
  return {"adapter", "DIR", "a LoRA adapter folder (PEFT layout, e.g. W/adapters/NAME from `loupe finetune`)"};
}

model::LoadOptions load_options(const Args& args) {
  model::LoadOptions options;
  options.dtype = tensor::parse_dtype(args.get_or("dtype", "f32"));
  options.device = tensor::parse_device(args.get_or("device", "cpu"));
  return options;
}

model::InputSpec input_spec(const Args& args) {
  // An empty value would silently mean the default captioning question.
  for (const char* name : {"prompt", "ids"})
    if (args.has(name) && args.get(name).empty())
      throw InputError(std::string("--") + name + " is empty; leave it out for the captioning question in --lang");
  model::InputSpec spec;
  spec.image = args.get_or("image", "");
  spec.pixels = args.get_or("pixels", "");
  spec.question = args.get_or("prompt", "");
  spec.lang = language_option(args);
  spec.ids = args.get_or("ids", "");
  return spec;
}

Language language_option(const Args& args) { return parse_language(args.get_or("lang", "en"), "--lang"); }

std::vector<study::Steer> steers_option(const Args& args, const io::ModelConfig& config) {
  std::vector<study::Steer> steers;
  for (const std::string& spec : args.all("steer")) steers.push_back(study::parse_steer(spec, config));
  return steers;
}

void add_steering(const Args& args, const model::VlmImpl& vlm, const torch::Tensor& token_types, int64_t max_new_tokens,
                  model::HookSet& hooks) {
  for (const study::Steer& steer : steers_option(args, vlm.config))
    study::add_steer(steer, token_types, max_new_tokens, vlm.device(), vlm.dtype(), hooks);
}

OptionSpec steer_option() {
  return {"steer", "HOOK=FILE:KEY@ALPHA[@POS][@MODE]",
          "add ALPHA times a stored vector (or sae:FOLDER#LATENT, that latent's decoder row) at a hook; POS: image, "
          "text (the generated tokens), template (the prompt's other tokens), non-image, all (default) or a list "
          "6,14,29; MODE: additive (default), "
          "orthogonal (replace the component along the vector) or cap (clamp the projection at ALPHA)",
          true};
}

std::vector<OptionSpec> options(std::initializer_list<std::vector<OptionSpec>> groups) {
  std::vector<OptionSpec> all;
  for (const auto& group : groups) all.insert(all.end(), group.begin(), group.end());
  return all;
}

}  // namespace loupe::cli
