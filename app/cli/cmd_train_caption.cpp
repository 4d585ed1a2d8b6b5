// `loupe train-caption`: trains the demo captioner (a small Gemma 3) on a synth dataset, as a job
// whose progress shows on stderr; Ctrl-C stops it after saving a checkpoint that --resume continues.
#include <filesystem>
#include <iostream>

#include "app/cli/commands.h"
#include "core/error.h"
#include "core/jobs/progress_printer.h"
#include "core/tensor/convert.h"
#include "core/train/caption_trainer.h"

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
  const long long seed = args.get_int("seed", 1);
  if (seed < 0) throw InputError("--seed must be a non-negative integer, got " + std::to_string(seed));
  options.seed = uint64_t(seed);
  options.device = tensor::parse_device(args.get_or("device", "cpu"));
  options.resume = args.has("resume");
  train::validate(options);

  std::filesystem::create_directories(options.out_dir);
  jobs::JobRunner runner(1);
  const jobs::JobId id = runner.submit(
      "train-caption", [&](jobs::JobContext& context) { return train::train_captioner(options, context); },
      (std::filesystem::path(options.out_dir) / "train.log").string());
  const nlohmann::json result = jobs::run_in_foreground(runner, id, std::cerr);
  std::cout << "train-caption: " << result["steps"] << " steps, final loss " << result["final_loss"].get<double>() << ", "
            << result["parameters"] << " parameters, " << int64_t(result["seconds"].get<double>()) << " s; model in "
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
