// Caption speed of one model on one device (issue 20; run by bench/gpu_caption.sh on a GPU machine).
//
//   gpu_caption_bench MODEL_DIR IMAGE [cuda|cpu] [bfloat16|float32] [NEW_TOKENS=32]
//
// Batch 1, greedy, no early stop. Prints one JSON line per condition (plain, 4 capture hooks, one
// steering vector): prefill ms (the prompt's forward pass), decode tokens/s = (n - 1) / (t(n) - t(1))
// with t(k) a whole generation of k tokens, and the decoder's weight bytes, from which the script
// computes the share of the memory-bandwidth bound. transformers is timed the same way by
// bench/gpu_caption_reference.py in the same run.
#include <torch/torch.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/model/caption.h"
#include "core/model/generate.h"
#include "core/model/hook_names.h"
#include "core/model/inputs.h"
#include "core/text/prompt.h"

using namespace loupe;
using Clock = std::chrono::steady_clock;

namespace {

void synchronize(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize();
}

// Median of `runs` timings of fn, in milliseconds, after one warm-up.
template <typename Fn>
double median_ms(const torch::Device& device, int runs, Fn fn) {
  fn();
  synchronize(device);
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    fn();
    synchronize(device);
    times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

int64_t decoder_weight_bytes(const model::VlmImpl& vlm) {
  int64_t bytes = 0;
  for (const torch::Tensor& p : vlm.language_model->parameters()) bytes += p.numel() * int64_t(p.element_size());
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: gpu_caption_bench MODEL_DIR IMAGE [cuda|cpu] [bfloat16|float32] [NEW_TOKENS]\n";
    return 2;
  }
  try {
    torch::NoGradGuard no_grad;
    model::LoadOptions options;
    options.device = torch::Device(argc > 3 ? argv[3] : "cuda");
    options.dtype = argc > 4 && std::string(argv[4]) == "float32" ? torch::kFloat32 : torch::kBFloat16;
    const int64_t new_tokens = argc > 5 ? std::stoll(argv[5]) : 32;
    const auto load_start = Clock::now();
    auto vlm = model::load_vlm(argv[1], options);
    synchronize(options.device);
    const double load_s = std::chrono::duration<double>(Clock::now() - load_start).count();
    const auto tokenizer = model::model_tokenizer(argv[1]);
    const torch::Tensor pixels = model::image_pixels(vlm->config, argv[2]);
    model::VlmInputs prompt = model::caption_prompt(*vlm, *tokenizer, text::caption_question(Language::English), pixels);
    prompt.input_ids = prompt.input_ids.to(options.device);
    if (prompt.token_type_ids.defined()) prompt.token_type_ids = prompt.token_type_ids.to(options.device);
    prompt.pixel_values = prompt.pixel_values.to(options.device, options.dtype);

    const int64_t layers = vlm->config.text.layers;
    auto condition = [&](const std::string& name, const std::function<void(model::Session&)>& set_up) {
      model::Session session;
      set_up(session);
      auto generate = [&](int64_t steps) {
        session.reset();
        set_up(session);
        model::GenerateOptions generation;
        generation.max_new_tokens = steps;
        model::generate(*vlm, session, prompt, generation);
      };
      const double prefill_ms = median_ms(options.device, 5, [&] {
        session.reset();
        set_up(session);
        vlm->forward(prompt, session);
      });
      const double one_ms = median_ms(options.device, 5, [&] { generate(1); });
      const double all_ms = median_ms(options.device, 5, [&] { generate(new_tokens); });
      nlohmann::json line = {{"impl", "loupe"},
                             {"condition", name},
                             {"prompt_tokens", prompt.input_ids.size(1)},
                             {"new_tokens", new_tokens},
                             {"prefill_ms", prefill_ms},
                             {"generate_ms", all_ms},
                             {"decode_tokens_per_s", double(new_tokens - 1) / ((all_ms - one_ms) / 1000.0)},
                             {"decoder_weight_bytes", decoder_weight_bytes(*vlm)},
                             {"load_s", load_s}};
      std::cout << line.dump() << std::endl;
    };
    condition("plain", [](model::Session&) {});
    condition("4 capture hooks", [&](model::Session& session) {
      for (int64_t i = 0; i < 4; ++i)
        session.hooks.capture(model::parse_hook("blocks." + std::to_string(i * layers / 4) + ".hook_resid_post", vlm->config));
    });
    const torch::Tensor direction = torch::randn({vlm->config.text.hidden}, torch::TensorOptions().device(options.device));
    condition("1 steering vector", [&](model::Session& session) {
      session.hooks.add(model::parse_hook("blocks." + std::to_string(layers / 2) + ".hook_resid_post", vlm->config),
                        direction / direction.norm(), 8.0);
    });
  } catch (const std::exception& error) {
    std::cerr << "gpu_caption_bench: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
