// `loupe eval-sae`: the caption loss of the workspace's model with the SAE's reconstruction spliced
// in at its hook, against the clean model and zero ablation (core/sae/sae_eval.h); writes
// W/saes/NAME/eval.json with the training summary's figures beside it.
#include <iostream>

#include "app/cli/commands.h"
#include "core/jobs/progress_printer.h"
#include "core/model/inputs.h"
#include "core/sae/sae_eval_run.h"
#include "core/tensor/convert.h"
#include "core/workspace/workspace.h"

namespace loupe::cli {

namespace {

int run_eval_sae(const Args& args) {
  const workspace::Workspace space = workspace::Workspace::open(args.get("workspace"));
  sae::SaeEvalRequest request;
  request.sae = args.get("sae");
  request.split = args.get_or("split", request.split);
  request.rows = args.get_count("rows", request.rows);
  request.batch = args.get_int("batch", request.batch);
  if (args.has("positions")) request.positions = args.get("positions");
  const auto outcome = jobs::run_in_foreground("eval-sae", [&](jobs::JobContext& job) {
    return sae::evaluate_sae_logged(space, request, [&] {
      model::LoadOptions load;
      load.device = tensor::parse_device(args.get_or("device", "cpu"));
      return sae::SaeEvalModel{model::load_vlm(space.model().string(), load), model::model_tokenizer(space.model().string())};
    }, job);
  }, std::cerr).as<sae::SaeEvalOutcome>();
  std::cout << "eval-sae " << request.sae << " (" << outcome.examples << " examples, " << outcome.answer_tokens
            << " caption tokens): " << outcome.message << "\n  written to " << outcome.file.string() << "\n";
  return 0;
}

}  // namespace

CommandSpec eval_sae_command() {
  return {"eval-sae",
          "caption loss with an SAE's reconstruction at its hook vs the clean model and zero ablation",
          "loupe eval-sae --workspace DIR --sae NAME [--split eval|train|counter] [--rows 64] [--batch 16] "
          "[--positions all|image|text|template|non-image] [--device cpu|cuda]",
          {{"workspace", "DIR", "workspace folder (loupe init)"},
           {"sae", "NAME", "the SAE in DIR/saes/NAME"},
           {"split", "NAME", "dataset split to score: eval (= balanced, the default), counter, train, or any value of the `split` column"},
           {"rows", "N", "the split's first N rows, each in English and Arabic (default 64)"},
           {"batch", "B", "examples per forward pass (default 16)"},
           {"positions", "WORD", "where to splice the SAE in (default: the positions of the store it was trained on)"},
           {"device", "cpu|cuda", "where to run the model (default cpu)"}},
          run_eval_sae};
}

}  // namespace loupe::cli
