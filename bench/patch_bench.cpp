// Activation patching on the bundled demo model: the whole (layer, position) sweep of the kitchen
// prompt with the woman restored into the kitchen with the man (issue 15 target: batched at least
// 4x faster than one forward pass per cell).
//
//   patch_bench [THREADS] [BATCH]
//
// Prints the seconds of loupe's sweep (BATCH patched copies per forward pass, default 32, each
// resumed at the patched layer) and of attribution patching, and, as the reference measured in the
// same run, of one full forward pass per cell, with their ratios.
#include <torch/torch.h>

#include <chrono>
#include <functional>
#include <iostream>

#include "core/intervene/patching.h"
#include "core/jobs/standalone_job.h"
#include "core/model/inputs.h"
#include "core/text/prompt.h"
#include "core/text/token_type.h"

using namespace loupe;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  const int64_t batch = argc > 2 ? std::atoll(argv[2]) : 32;
  const std::string root = LOUPE_SOURCE_DIR;
  try {
    torch::set_num_threads(threads);
    auto vlm = model::load_vlm(root + "/assets/models/demo");
    const auto tokenizer = model::model_tokenizer(root + "/assets/models/demo");
    const std::string question = text::caption_question(Language::English);
    const model::VlmInputs clean = model::caption_prompt(
        *vlm, *tokenizer, question, model::image_pixels(vlm->config, root + "/assets/demo/images/kitchen.png"));
    const model::VlmInputs corrupt = model::caption_prompt(
        *vlm, *tokenizer, question, model::image_pixels(vlm->config, root + "/assets/demo/images/kitchen-man.png"));
    intervene::PatchRequest request;
    for (int64_t p = 0; p < clean.input_ids.size(1); ++p) request.positions.push_back(p);

    const int64_t layers = vlm->config.text.layers;
    const auto timed = [](int repeats, const std::function<void()>& fn) {
      fn();  // warm-up
      const auto start = Clock::now();
      for (int i = 0; i < repeats; ++i) fn();
      return std::chrono::duration<double>(Clock::now() - start).count() / repeats;
    };
    jobs::StandaloneJob job;
    request.batch = batch;
    const double batched = timed(5, [&] { intervene::patch_sweep(*vlm, clean, corrupt, request, job.context()); });
    const auto metric = [](const torch::Tensor& logits) { return logits[0] - logits[1]; };
    const double attribution =
        timed(5, [&] { intervene::attribution_patch(*vlm, clean, corrupt, request, metric, job.context()); });

    // The reference: what a hook-by-hook notebook does, one whole forward pass of the corrupted
    // input a cell, patched from the clean run's cache.
    const double one_per_cell = timed(2, [&] {
      torch::NoGradGuard no_grad;
      model::Session clean_run;
      for (int64_t l = 0; l < layers; ++l) clean_run.hooks.capture({model::Site::ResidPost, l, false});
      vlm->forward(clean, clean_run);
      for (int64_t l = 0; l < layers; ++l)
        for (int64_t p : request.positions) {
          const model::HookPoint point{model::Site::ResidPost, l, false};
          model::Session patched;
          patched.hooks.replace(point, clean_run.hooks.captured(point), {p});
          vlm->forward(corrupt, patched);
        }
    });
    std::cout << "patch sweep of " << layers * int64_t(request.positions.size()) << " cells (" << layers << " layers x "
              << request.positions.size() << " positions), " << threads << " thread(s): loupe (batch " << batch
              << ", resumed at the patched layer) " << batched << " s; one full forward pass a cell " << one_per_cell
              << " s; speed-up " << one_per_cell / batched << "x (target >= 4x); attribution patching " << attribution
              << " s (" << one_per_cell / attribution << "x)\n";
  } catch (const std::exception& error) {
    std::cerr << "patch_bench: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
