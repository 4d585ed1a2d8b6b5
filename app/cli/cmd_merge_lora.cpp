// `loupe merge-lora`: a new model folder with a LoRA adapter merged into the base weights
// (W + alpha/r · B A, core/model/lora_files.h), which every other command then loads as a plain
// checkpoint: the adapted model without the adapter's per-call cost.
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/model_args.h"
#include "core/error.h"
#include "core/model/lora_files.h"

namespace loupe::cli {

namespace {

int run_merge_lora(const Args& args) {
  if (!args.has("adapter")) throw InputError("--adapter is required; see `loupe merge-lora --help`");
  const std::string out = args.get("out");
  const std::string folder = model_folder(args);
  const auto vlm = model::load_vlm(folder, load_options(args));
  const auto adapter = adapter_option(args, *vlm, folder);
  model::write_merged_model(*vlm, folder, *adapter, out);
  std::cout << "merge-lora: " << adapter->modules().size() << " adapted linear layers merged into " << out << "\n";
  return 0;
}

}  // namespace

CommandSpec merge_lora_command() {
  return {"merge-lora",
          "write a model folder with a LoRA adapter merged into its weights",
          "loupe merge-lora [--model DIR] --adapter DIR --out DIR [--dtype f32|bf16|f16]",
          options({model_options(),
                   {{"adapter", "DIR", "the LoRA adapter (PEFT folder, e.g. W/adapters/NAME)", true},
                    {"out", "DIR", "the merged model's folder (must not exist)", true}}}),
          run_merge_lora};
}

}  // namespace loupe::cli
