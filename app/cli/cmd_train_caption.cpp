// `loupe train-caption`: trains the demo captioner (a small Gemma 3) on a synth dataset, as a job
// whose progress shows on stderr; Ctrl-C stops it after saving a checkpoint that --resume continues.
#include <filesystem>
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/training_job.h"
#include "core/error.h"
#include "core/jobs/progress_printer.h"
#include "core/tensor/convert.h"
#include "core/train/caption_trainer.h"
#include "core/train/checkpoint.h"

namespace loupe::cli {

namespace {

int run_train_caption(const Args& args) {
  train::CaptionTrainOptions options;
  options.data_dir = args.get("data");
  options.out_dir = args.get("out");
  options.steps = args.get_int("steps", options.steps);
  options.batch = args.get_int("batch", options.batch);
  options.lr = args.get_double("lr", options.lr);
  options.vision.steps = args.get_int("vision-steps", options.vision.steps);
  options.seed = args.get_seed();
  options.device = tensor::parse_device(args.get_or("device", "cpu"));
  options.resume = args.has("resume");
  train::validate(options);

  const auto result = run_training_job("train-caption", options.out_dir, "train.log", [&](jobs::JobContext& context) {
                        return train::train_captioner(options, context);
                      }).as<train::CaptionTrainSummary>();
  std::cout << "train-caption: " << result.steps << " steps, final loss " << result.final_loss << ", "
            << result.parameters << " parameters, " << int64_t(result.seconds) << " s; model in "
            << options.out_dir << "\n";
  return 0;
}

}  // namespace

CommandSpec train_caption_command() {
  return {"train-caption",
          "train the demo captioner (a small Gemma 3) on a `loupe synth` dataset",
          "loupe train-caption --data DIR --out DIR [--steps N] [--batch B] [--lr LR] [--vision-steps N] [--seed S] "
          "[--device cpu|cuda] [--resume]",
          {{"data", "DIR", "dataset folder with image_caption.csv (its train split is used)"},
           {"out", "DIR", "output model folder: config.json, tokenizer.json, model.safetensors, checkpoint, train.log"},
           {"steps", "N", "optimizer steps (default 1500)"},
           {"batch", "B", "(image, language) examples per step (default 32)"},
           {"lr", "LR", "peak learning rate of the warm-up + cosine schedule (default 0.002)"},
           {"vision-steps", "N",
            "first train the vision tower to classify the scene, activity and gender labels for N steps of 64 "
            "images (default 800; 0 skips it)"},
           {"seed", "S", "seed of the initial weights and the example order (default 1)"},
           {"device", "cpu|cuda", "where to train (default cpu)"},
           {"resume", "", "continue from the checkpoint in --out"}},
          run_train_caption};
}

}  // namespace loupe::cli
