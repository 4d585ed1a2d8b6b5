// `loupe finetune`: LoRA adapters trained on a dataset's captions with the workspace's model frozen
// (core/train/lora_trainer.h), written to W/adapters/NAME in PEFT's layout; Ctrl-C or SIGTERM stops
// after a checkpoint that --resume continues.
#include <filesystem>
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/model_args.h"
#include "app/cli/training_job.h"
#include "core/error.h"
#include "core/util/id_list.h"
#include "core/train/lora_trainer.h"
#include "core/workspace/workspace.h"

namespace loupe::cli {

namespace {

model::LoraTargets lora_targets(const Args& args) {
  model::LoraTargets targets;
  if (args.has("targets")) targets.modules = split_list(args.get("targets"));
  if (args.has("layers")) targets.layers = util::parse_id_list(args.get("layers"), "--layers");
  targets.vision = args.has("vision");
  return targets;
}

int run_finetune(const Args& args) {
  const workspace::Workspace space = workspace::Workspace::open(args.get("workspace"));
  const std::string name = args.get("out");
  train::LoraTrainOptions options;
  options.model_folder = space.model().string();
  options.data_dir = std::filesystem::absolute(args.get("data")).string();
  options.out_dir = space.adapter_dir(name).string();
  options.split = args.get_or("split", options.split);
  options.targets = lora_targets(args);
  options.settings.rank = args.get_count("rank", options.settings.rank);
  options.settings.alpha = args.get_double("alpha", 2.0 * double(options.settings.rank));
  options.settings.dropout = args.get_double("dropout", options.settings.dropout);
  options.steps = args.get_count("steps", options.steps);
  options.batch = args.get_count("batch", options.batch);
  options.lr = args.get_double("lr", options.lr);
  options.seed = args.get_seed();
  options.limit_rows = args.get_count("limit", 0);
  options.checkpoint_every = args.get_count("checkpoint-every", options.checkpoint_every);
  options.resume = args.has("resume");

  workspace::RunRecord record;
  record.command = "finetune";
  record.parameters = {{"data", options.data_dir}, {"out", name}, {"rank", options.settings.rank},
                       {"alpha", options.settings.alpha}, {"dropout", options.settings.dropout},
                       {"targets", options.targets.modules}, {"layers", options.targets.layers},
                       {"vision", options.targets.vision}, {"steps", options.steps}, {"batch", options.batch},
                       {"lr", options.lr}, {"seed", options.seed}, {"split", options.split}, {"resume", options.resume}};
  workspace::add_inputs(record, space.model_files());
  workspace::add_inputs(record, {std::filesystem::path(options.data_dir) / "image_caption.csv"});
  train::LoraTrainSummary summary;
  space.run_logged(record, [&](workspace::RunRecord& logged) {
    summary = run_training_job("finetune", options.out_dir, "finetune.log", [&](jobs::JobContext& job) {
                const auto model = model::load_vlm(options.model_folder, load_options(args), &job);
                const auto tokenizer = model::model_tokenizer(options.model_folder);
                return train::train_lora(*model, *tokenizer, options, job);
              }).as<train::LoraTrainSummary>();
    logged.message = std::to_string(summary.steps) + " steps; " + options.out_dir;
    logged.details = summary.to_json();
  });
  if (args.has("json")) {
    std::cout << summary.to_json().dump() << "\n";
    return 0;
  }
  std::cout << "finetune: " << summary.steps << " steps of LoRA rank " << options.settings.rank << " on " << summary.modules
            << " linear layers (" << summary.trainable_parameters << " trainable parameters), loss " << summary.first_loss
            << " → " << summary.final_loss << ", " << int64_t(summary.seconds) << " s; adapter in " << options.out_dir << "\n";
  return 0;
}

}  // namespace

CommandSpec finetune_command() {
  return {"finetune",
          "train LoRA adapters on a dataset's captions, base model frozen; PEFT layout in W/adapters/NAME",
          "loupe finetune --workspace DIR --data DIR --out NAME [--rank 8] [--alpha A] [--dropout P] [--targets q_proj,...] "
          "[--layers 0,1] [--vision] [--steps N] [--batch B] [--lr LR] [--seed S] [--split S] [--limit N] "
          "[--checkpoint-every N] [--resume] [--dtype f32|bf16|f16] [--device cpu|cuda] [--json]",
          {{"workspace", "DIR", "workspace folder (loupe init); its model is the frozen base"},
           {"data", "DIR", "dataset folder with image_caption.csv, e.g. from `loupe swap-gender`"},
           {"out", "NAME", "the adapter's name: DIR/adapters/NAME"},
           {"rank", "R", "LoRA rank r (default 8)"},
           {"alpha", "A", "LoRA alpha; updates are scaled by alpha / r (default 2r)"},
           {"dropout", "P", "dropout on the adapters' inputs while training (default 0.05)"},
           {"targets", "NAMES", "linear layers by name (default q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj)"},
           {"layers", "I,J", "only these layers (default every layer)"},
           {"vision", "", "adapt the vision tower's layers too (q_proj,k_proj,v_proj,out_proj,fc1,fc2 by --targets)"},
           {"steps", "N", "optimizer steps (default 200)"},
           {"batch", "B", "(image, language) examples per step (default 16)"},
           {"lr", "LR", "peak learning rate of the warm-up + cosine schedule (default 0.001)"},
           {"seed", "S", "seed of the adapters' initial A, the example order and the dropout (default 1)"},
           {"split", "S", "the rows trained on (default train; every row without a split column)"},
           {"limit", "N", "only the split's first N rows"},
           {"checkpoint-every", "N", "steps between checkpoints (default 50)"},
           {"resume", "", "continue from the checkpoint in DIR/adapters/NAME"},
           {"dtype", "f32|bf16|f16", "model dtype (default f32)"},
           {"device", "cpu|cuda", "device (default cpu)"},
           {"json", "", "print the summary: steps, first_step, first_loss, final_loss, modules, trainable_parameters, seconds, out"}},
          run_finetune};
}

}  // namespace loupe::cli
