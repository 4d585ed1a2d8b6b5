// `loupe forward`: one forward pass, dumping the named activations to a safetensors file.
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/model_args.h"
#include "core/model/hook_names.h"
#include "core/study/forward_dump.h"
#include "core/tensor/convert.h"

namespace loupe::cli {

namespace {

int run_forward(const Args& args) {
  const std::string folder = model_folder(args);
  auto vlm = model::load_vlm(folder, load_options(args));
  const auto points = model::expand_hook_patterns(args.get("dump"), vlm->config);  // fails before any work
  const std::string out = args.get("out");
  model::VlmInputs inputs = model::prepare_inputs(*vlm, folder, input_spec(args));

  const tensor::NamedTensors dumped = study::forward_dump(*vlm, inputs, points);
  tensor::save(out, dumped, {{"model", folder}, {"tokens", std::to_string(inputs.input_ids.size(1))}});
  std::cerr << "wrote " << dumped.size() << " tensors to " << out << "\n";
  return 0;
}

}  // namespace

CommandSpec forward_command() {
  return {"forward",
          "run one forward pass and dump activations by hook name",
          "loupe forward --model DIR (--image PATH | --pixels FILE:KEY) (--prompt TEXT [--lang en|ar] | --ids LIST|@FILE) "
          "--dump NAMES --out FILE.safetensors",
          options({model_options(), input_options(),
                   {{"dump", "NAMES", "comma-separated hook names; * or {a,b} for the layer, e.g. blocks.*.hook_resid_post,logits"},
                    {"out", "FILE", "safetensors file to write (each tensor under its hook name, batch dropped)"}}}),
          run_forward};
}

}  // namespace loupe::cli
