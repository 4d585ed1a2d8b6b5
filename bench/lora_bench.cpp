// LoRA on the bundled demo model: what an adapter costs a forward pass, and what a LoRA training
// step costs against full fine-tuning, measured in the same run.
//
//   lora_bench [MODEL_DIR] [RANK]
//
// Prints milliseconds per captioning prefill with the base weights (the reference), with a rank-R
// adapter on every decoder projection, and with that adapter merged; then seconds per training
// step (batch 16, forward and backward) with only the adapters trained and, as the reference, with
// every weight trained, and the time 200 LoRA steps take (the default `loupe finetune`). Threads as
// loupe runs them (every usable CPU, or LOUPE_THREADS).
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include "core/io/dataset.h"
#include "core/model/inputs.h"
#include "core/model/lora.h"
#include "core/model/lora_files.h"
#include "core/synth/dataset_writer.h"
#include "core/tensor/threads.h"
#include "core/text/prompt.h"
#include "core/train/caption_examples.h"

using namespace loupe;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

double milliseconds_per_prefill(const model::VlmImpl& vlm, const model::VlmInputs& prompt,
                                std::shared_ptr<const model::LoraAdapter> adapter, int runs) {
  torch::NoGradGuard no_grad;
  model::Session session;
  session.hooks.set_adapter(std::move(adapter));
  vlm.forward(prompt, session);  // warm-up
  const auto start = Clock::now();
  for (int i = 0; i < runs; ++i) {
    session.reset();
    vlm.forward(prompt, session);
  }
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count() / runs;
}

// Seconds per forward + backward of a batch's captioning loss.
double seconds_per_step(const model::VlmImpl& vlm, const train::CaptionBatch& batch,
                        std::shared_ptr<const model::LoraAdapter> adapter, int steps) {
  double total = 0;
  for (int i = 0; i <= steps; ++i) {
    const auto start = Clock::now();
    model::Session session;
    session.hooks.set_adapter(adapter);
    train::caption_loss(vlm.forward(batch.inputs, session), batch.labels).backward();
    if (i > 0) total += std::chrono::duration<double>(Clock::now() - start).count();  // step 0 warms up
  }
  return total / steps;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string folder = argc > 1 ? argv[1] : std::string(LOUPE_SOURCE_DIR) + "/assets/models/demo";
  const int64_t rank = argc > 2 ? std::stoll(argv[2]) : 8;
  try {
    use_cpu_threads();  // as loupe does: every usable CPU, or LOUPE_THREADS
    const auto vlm = model::load_vlm(folder);
    const auto tokenizer = model::model_tokenizer(folder);
    const auto modules = model::lora_target_modules(*vlm, model::LoraTargets{});
    const model::LoraSettings settings{rank, 2.0 * double(rank), 0.0};
    // B drawn small instead of zero, so the adapter changes what the model computes.
    std::vector<torch::Tensor> a, b;
    for (const auto& [name, value] : model::LoraAdapter(*vlm, modules, settings, 1).parameters()) {
      const bool is_a = name.find("lora_A") != std::string::npos;
      (is_a ? a : b).push_back(is_a ? value : 0.01 * torch::randn_like(value));
    }
    const auto adapter = std::make_shared<model::LoraAdapter>(*vlm, modules, settings, a, b);

    const fs::path scratch = fs::temp_directory_path() / "loupe-lora-bench";
    fs::remove_all(scratch);
    model::write_merged_model(*vlm, folder, *adapter, (scratch / "merged").string());
    const auto merged = model::load_vlm((scratch / "merged").string());
    const std::string image = std::string(LOUPE_SOURCE_DIR) + "/assets/demo/images/kitchen.png";
    const model::VlmInputs prompt = model::caption_prompt(*vlm, *tokenizer, text::caption_question(Language::English),
                                                          model::image_pixels(vlm->config, image));
    const int runs = 40;
    const double base_ms = milliseconds_per_prefill(*vlm, prompt, nullptr, runs);
    const double adapted_ms = milliseconds_per_prefill(*vlm, prompt, adapter, runs);
    const double merged_ms = milliseconds_per_prefill(*merged, prompt, nullptr, runs);
    std::cout << "prefill, " << torch::get_num_threads() << " threads: base " << base_ms << " ms, with a rank-" << rank
              << " adapter on " << modules.size() << " layers " << adapted_ms << " ms (" << adapted_ms / base_ms
              << "x the base), merged " << merged_ms << " ms (" << merged_ms / base_ms << "x)\n";

    synth::write_dataset((scratch / "data").string(), 32, synth::SynthOptions{}, 1);
    const auto rows = train::rows_in_split(io::load_dataset((scratch / "data").string()), "train", 0);
    const train::CaptionExamples examples(rows, *tokenizer, vlm->config);
    std::vector<int64_t> first(16);
    for (int64_t i = 0; i < 16; ++i) first[size_t(i)] = i;
    const train::CaptionBatch batch = examples.batch(first);
    const int steps = 10;
    adapter->set_trainable(true);
    const double lora_s = seconds_per_step(*vlm, batch, adapter, steps);
    adapter->set_trainable(false);
    for (torch::Tensor parameter : vlm->parameters()) parameter.set_requires_grad(true);
    const double full_s = seconds_per_step(*vlm, batch, nullptr, steps);
    std::cout << "training step, batch 16: LoRA " << lora_s * 1000 << " ms, full fine-tuning " << full_s * 1000
              << " ms; LoRA / full = " << lora_s / full_s << "; 200 LoRA steps take about " << 200 * lora_s << " s\n";
    fs::remove_all(scratch);
  } catch (const std::exception& error) {
    std::cerr << "lora_bench: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
