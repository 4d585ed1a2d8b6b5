// `loupe patch`: activation patching of one hook site across every layer and chosen positions.
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/model_args.h"
#include "core/error.h"
#include "core/intervene/patching.h"
#include "core/jobs/progress_printer.h"
#include "core/model/hook_names.h"
#include "core/tensor/convert.h"
#include "core/util/id_list.h"

namespace loupe::cli {

namespace {

int run_patch(const Args& args) {
  const std::string folder = model_folder(args);
  auto vlm = model::load_vlm(folder, load_options(args));
  const model::HookPoint site = intervene::patch_site(args.get("hook"), vlm->config);
  intervene::PatchRequest request;
  request.site = site.site;
  request.vision = site.vision;
  request.positions = util::parse_id_list(args.get("positions"), "--positions");
  request.batch = args.get_int("batch", request.batch);
  const std::string out = args.get("out");

  model::InputSpec clean_spec = input_spec(args), corrupt_spec = clean_spec;
  corrupt_spec.image = args.get_or("corrupt-image", "");
  corrupt_spec.pixels = args.get_or("corrupt-pixels", "");
  if (corrupt_spec.image.empty() == corrupt_spec.pixels.empty())
    throw InputError("give exactly one of --corrupt-image and --corrupt-pixels");
  const model::VlmInputs clean = model::prepare_inputs(*vlm, folder, clean_spec);
  const model::VlmInputs corrupt = model::prepare_inputs(*vlm, folder, corrupt_spec);

  const auto sweep = jobs::run_in_foreground("patch", [&](jobs::JobContext& job) {
    return intervene::patch_sweep(*vlm, clean, corrupt, request, job);
  }, std::cerr).as<intervene::PatchSweep>();
  tensor::save(out, {{"patched_last_logits", sweep.patched}, {"clean_last_logits", sweep.clean},
                     {"corrupt_last_logits", sweep.corrupt}},
               {{"hook", args.get("hook")}, {"positions", args.get("positions")}});
  std::cerr << "wrote patched_last_logits " << c10::str(sweep.patched.sizes()) << " to " << out << "\n";
  return 0;
}

}  // namespace

CommandSpec patch_command() {
  return {"patch",
          "activation patching: corrupt run with one layer/position restored from the clean run",
          "loupe patch --model DIR (--image PATH | --pixels FILE:KEY) (--prompt TEXT | --ids LIST|@FILE) "
          "(--corrupt-image PATH | --corrupt-pixels FILE:KEY) --hook 'blocks.{l}.hook_resid_post' --positions 6,14,29 "
          "[--batch B] --out FILE.safetensors",
          options({model_options(), input_options(),
                   {{"corrupt-image", "PATH", "the corrupted image"},
                    {"corrupt-pixels", "FILE:KEY", "stored corrupted pixel values"},
                    {"hook", "NAME", "block hook with {l} for the layer, e.g. blocks.{l}.hook_resid_post"},
                    {"positions", "LIST", "comma-separated absolute positions to patch"},
                    {"batch", "B", "patched copies per forward pass (default 16)"},
                    {"out", "FILE", "writes patched_last_logits [L,P,V], clean_last_logits [V], corrupt_last_logits [V]"}}}),
          run_patch};
}

}  // namespace loupe::cli
