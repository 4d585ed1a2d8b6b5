// TopK SAE training speed: loupe's training step (core/sae: sparse decoder, unit-norm decoder,
// AuxK, Adam) against the same loop written with plain LibTorch operations and no loupe code (the
// reference: dense decoder over a scattered code matrix, torch::optim::Adam), in the same run, on
// the same random activations.
//
//   sae_train [--d-in 2560] [--expansion 8] [--k 32] [--batch 4096] [--steps 3] [--device cpu|cuda]
//
// Each side takes one untimed warm-up step, then `steps` timed ones; the figure is tokens/s over
// the timed steps. Target (issue #6): at least the reference on CPU, 1.5x on a GPU.
#include <torch/torch.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#include "core/sae/sae_trainer.h"
#include "core/tensor/convert.h"

using namespace loupe;
using Clock = std::chrono::steady_clock;

namespace {

struct BenchOptions {
  int64_t d_in = 2560, expansion = 8, k = 32, batch = 4096, steps = 3;
  std::string device = "cpu";
};

BenchOptions parse(int argc, char** argv) {
  BenchOptions options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--d-in") options.d_in = std::stoll(value);
    else if (flag == "--expansion") options.expansion = std::stoll(value);
    else if (flag == "--k") options.k = std::stoll(value);
    else if (flag == "--batch") options.batch = std::stoll(value);
    else if (flag == "--steps") options.steps = std::stoll(value);
    else if (flag == "--device") options.device = value;
    else {
      std::cerr << "unknown option " << flag << "\n";
      std::exit(2);
    }
  }
  return options;
}

void synchronize(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize();
}

// The reference: a TopK SAE step in plain LibTorch.
double reference_tokens_per_second(const BenchOptions& o, const std::vector<torch::Tensor>& batches, const torch::Device& device) {
  const int64_t d_sae = o.d_in * o.expansion;
  torch::manual_seed(1);
  torch::Tensor W_dec = torch::randn({d_sae, o.d_in}, device);
  W_dec = (W_dec / W_dec.norm(2, {1}, true)).requires_grad_(true);
  torch::Tensor W_enc = W_dec.detach().t().contiguous().requires_grad_(true);
  torch::Tensor b_enc = torch::zeros({d_sae}, device).requires_grad_(true);
  torch::Tensor b_dec = torch::zeros({o.d_in}, device).requires_grad_(true);
  torch::optim::Adam adam({W_enc, b_enc, W_dec, b_dec}, torch::optim::AdamOptions(1e-4));
  auto step = [&](const torch::Tensor& x) {
    const torch::Tensor pre = torch::addmm(b_enc, x - b_dec, W_enc);
    auto [values, indices] = torch::topk(pre, o.k, -1);
    const torch::Tensor codes = torch::zeros_like(pre).scatter(-1, indices, torch::relu(values));
    const torch::Tensor loss = (torch::addmm(b_dec, codes, W_dec) - x).pow(2).sum(-1).mean();
    adam.zero_grad();
    loss.backward();
    adam.step();
    torch::NoGradGuard no_grad;
    W_dec.div_(W_dec.norm(2, {1}, true));
  };
  step(batches[0]);
  synchronize(device);
  const auto started = Clock::now();
  for (int64_t s = 0; s < o.steps; ++s) step(batches[size_t(s + 1)]);
  synchronize(device);
  return double(o.steps * o.batch) / std::chrono::duration<double>(Clock::now() - started).count();
}

double loupe_tokens_per_second(const BenchOptions& o, const std::vector<torch::Tensor>& batches, const torch::Device& device) {
  sae::SaeConfig config;
  config.kind = sae::SaeKind::TopK;
  config.d_in = o.d_in;
  config.d_sae = o.d_in * o.expansion;
  config.k = o.k;
  sae::Sae model = sae::Sae::initialized(config, 1).to(device);
  for (torch::Tensor* p : {&model.W_enc, &model.b_enc, &model.W_dec, &model.b_dec}) p->set_requires_grad(true);
  train::AdamW adam({{"W_enc", model.W_enc}, {"b_enc", model.b_enc}, {"W_dec", model.W_dec}, {"b_dec", model.b_dec}}, sae::kSaeAdam);
  // One latent in a hundred dead, so AuxK runs as it does in a healthy training run.
  const torch::Tensor dead = torch::arange(config.d_sae, torch::TensorOptions().dtype(torch::kLong).device(device)) % 100 == 0;
  const sae::ObjectiveOptions objective;
  sae::training_step(model, adam, batches[0], dead, objective, 1e-4, true);
  synchronize(device);
  const auto started = Clock::now();
  for (int64_t s = 0; s < o.steps; ++s) sae::training_step(model, adam, batches[size_t(s + 1)], dead, objective, 1e-4, true);
  synchronize(device);
  return double(o.steps * o.batch) / std::chrono::duration<double>(Clock::now() - started).count();
}

}  // namespace

int main(int argc, char** argv) {
  const BenchOptions o = parse(argc, argv);
  const torch::Device device = tensor::parse_device(o.device);
  torch::manual_seed(0);
  std::vector<torch::Tensor> batches;  // [batch, d_in] each
  for (int64_t s = 0; s <= o.steps; ++s) batches.push_back(torch::randn({o.batch, o.d_in}, device));
  std::cout << "sae_train: TopK d_in " << o.d_in << ", " << o.expansion << "x (" << o.d_in * o.expansion << " latents), k "
            << o.k << ", batch " << o.batch << ", " << o.steps << " timed steps on " << o.device << ", "
            << torch::get_num_threads() << " threads\n";
  const double reference = reference_tokens_per_second(o, batches, device);
  std::cout << "  reference (plain LibTorch, dense decoder): " << int64_t(reference) << " tokens/s\n" << std::flush;
  const double loupe = loupe_tokens_per_second(o, batches, device);
  std::cout << "  loupe (sparse decoder, AuxK):              " << int64_t(loupe) << " tokens/s\n"
            << "  ratio loupe / reference: " << loupe / reference << "\n";
  return 0;
}
