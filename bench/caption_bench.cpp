// Captioning latency of the bundled demo model on one CPU core (issue target: under 50 ms).
//
//   caption_bench [MODEL_DIR] [IMAGE]
//
// Prints milliseconds per English caption (greedy, KV cache, to the end token) and, as the
// reference measured in the same run, one prefill pass of the same prompt.
#include <torch/torch.h>

#include <chrono>
#include <iostream>

#include "core/model/caption.h"
#include "core/model/inputs.h"
#include "core/text/prompt.h"

using namespace loupe;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const std::string folder = argc > 1 ? argv[1] : std::string(LOUPE_SOURCE_DIR) + "/assets/models/demo";
  const std::string image = argc > 2 ? argv[2] : std::string(LOUPE_SOURCE_DIR) + "/assets/demo/images/kitchen.png";
  try {
    torch::set_num_threads(1);
    torch::NoGradGuard no_grad;
    auto vlm = model::load_vlm(folder);
    const auto tokenizer = model::model_tokenizer(folder);
    const torch::Tensor pixels = model::image_pixels(vlm->config, image);
    const model::VlmInputs prompt = model::caption_prompt(*vlm, *tokenizer, text::caption_question(loupe::Language::English), pixels);

    const int runs = 20;
    model::Session session;
    model::caption_images(*vlm, *tokenizer, pixels, {}, session);  // warm-up
    auto start = Clock::now();
    std::string text;
    for (int i = 0; i < runs; ++i) text = model::caption_images(*vlm, *tokenizer, pixels, {}, session)[0].text;
    const double caption_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count() / runs;

    start = Clock::now();
    for (int i = 0; i < runs; ++i) {
      session.reset();
      vlm->forward(prompt, session);
    }
    const double prefill_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count() / runs;
    std::cout << "caption \"" << text << "\": " << caption_ms << " ms on 1 thread (target < 50 ms); prefill alone "
              << prefill_ms << " ms; caption / prefill = " << caption_ms / prefill_ms << "\n";
  } catch (const std::exception& error) {
    std::cerr << "caption_bench: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
