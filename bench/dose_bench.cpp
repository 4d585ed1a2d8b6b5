// The dose-response of a steering sweep over the ten demo images on the bundled demo model: the
// rows batched (study::steer_sweeps, BATCH images per generation) against one image's sweep at a
// time (study::steer_sweep, the reference, measured in the same run).
//
//   dose_bench [THREADS] [BATCH]
//
// Prints both times in seconds and their ratio; the sweep is alpha = -8 ... 8 in steps of 2 (9
// steered copies and the baseline per image), English and Arabic, 12 tokens per caption.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <iostream>

#include "core/model/inputs.h"
#include "core/study/steer_sweep.h"
#include "core/study/steering_set.h"
#include "core/tensor/convert.h"

using namespace loupe;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  const size_t batch = argc > 2 ? size_t(std::max(1, std::atoi(argv[2]))) : 8;
  const std::string root = LOUPE_SOURCE_DIR;
  try {
    torch::set_num_threads(threads);
    const auto vlm = model::load_vlm(root + "/assets/models/demo");
    const auto tokenizer = model::model_tokenizer(root + "/assets/models/demo");
    torch::manual_seed(0);
    const std::string push = (std::filesystem::temp_directory_path() / "dose_bench_push.safetensors").string();
    tensor::save(push, {{"push", torch::randn({vlm->config.text.hidden})}});
    study::SweepRequest request;
    request.set = {study::parse_steer_spec("blocks.0.hook_resid_post=" + push + ":push@1@image")};
    request.alphas = study::parse_alpha_sweep("alpha=-8:8:2");
    request.max_new_tokens = 12;
    std::vector<study::SweepImage> images;
    for (const auto& entry : std::filesystem::directory_iterator(root + "/assets/demo/images"))
      if (entry.path().extension() == ".png") images.push_back({entry.path().string(), {}});

    const auto seconds = [](const std::function<void()>& fn) {
      const auto start = Clock::now();
      fn();
      return std::chrono::duration<double>(Clock::now() - start).count();
    };
    const double one_at_a_time = seconds([&] {
      for (const study::SweepImage& image : images) {
        study::SweepRequest alone = request;
        alone.image = image.image;
        study::steer_sweep(*vlm, *tokenizer, alone);
      }
    });
    const double batched = seconds([&] {
      for (size_t first = 0; first < images.size(); first += batch) {
        const std::vector<study::SweepImage> chunk(images.begin() + long(first),
                                                   images.begin() + long(std::min(images.size(), first + batch)));
        study::steer_sweeps(*vlm, *tokenizer, request, chunk);
      }
    });
    std::filesystem::remove(push);
    std::cout << "dose-response of " << images.size() << " images x " << request.alphas.size() << " alphas x 2 languages, "
              << threads << " thread(s): one image at a time " << one_at_a_time << " s; " << batch
              << " images per generation " << batched << " s; speed-up " << one_at_a_time / batched << "x\n";
  } catch (const std::exception& error) {
    std::cerr << "dose_bench: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
