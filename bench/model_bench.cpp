// Captioning speed and loading memory on a generated Gemma 3-shaped checkpoint (random weights).
//
//   model_bench make DIR [--size 400m|1b]   writes DIR/config.json + model.safetensors
//   model_bench load DIR                    loads it; prints load time and peak RSS (VmHWM)
//   model_bench run DIR                     prefill and decode tokens/s, hook overhead, and the
//                                           fraction of memory bandwidth decode reaches
//
// References measured in the same run: a plain memcpy of a 1 GiB buffer (bandwidth), and the same
// forward pass with an empty hook set (hook overhead).
#include <torch/torch.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/model/generate.h"
#include "core/model/hook_names.h"
#include "core/tensor/convert.h"
#include "core/train/parameter_init.h"

using namespace loupe;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

nlohmann::json bench_config(const std::string& size) {
  const bool large = size == "1b";
  return {{"model_type", "gemma3"},
          {"mm_tokens_per_image", 64},
          {"image_token_index", 32000},
          {"boi_token_index", 32001},
          {"eoi_token_index", 32002},
          {"text_config",
           {{"model_type", "gemma3_text"}, {"vocab_size", 32768}, {"hidden_size", large ? 2048 : 1024},
            {"intermediate_size", large ? 8192 : 4096}, {"num_hidden_layers", 16}, {"num_attention_heads", 8},
            {"num_key_value_heads", 4}, {"head_dim", 128}, {"query_pre_attn_scalar", 128}, {"sliding_window", 512},
            {"sliding_window_pattern", 6}, {"max_position_embeddings", 8192}}},
          {"vision_config",
           {{"model_type", "siglip_vision_model"}, {"hidden_size", 768}, {"intermediate_size", 3072},
            {"num_hidden_layers", 12}, {"num_attention_heads", 12}, {"image_size", 224}, {"patch_size", 14}}}};
}

void make(const std::string& dir, const std::string& size) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/config.json") << bench_config(size).dump(2);
  model::VlmImpl vlm(io::read_model_config(dir), torch::TensorOptions().dtype(torch::kFloat32));
  train::init_parameters(vlm);
  tensor::NamedTensors tensors;
  for (const auto& item : vlm.named_parameters()) tensors.emplace_back(item.key(), item.value());
  tensor::save(dir + "/model.safetensors", tensors);
  std::cout << "wrote " << vlm.parameter_count() / 1e6 << "M parameters to " << dir << "\n";
}

long peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

void load(const std::string& dir) {
  const long before = peak_rss_kib();
  const auto start = Clock::now();
  auto vlm = model::load_vlm(dir);
  const double elapsed = seconds_since(start);
  const double weights_mib = vlm->parameter_count() * 4.0 / (1 << 20);
  std::cout << "loaded " << vlm->parameter_count() / 1e6 << "M parameters (" << weights_mib << " MiB) in " << elapsed
            << " s; peak RSS " << peak_rss_kib() / 1024.0 << " MiB (" << before / 1024.0 << " MiB before loading), "
            << "ratio peak/weights " << (peak_rss_kib() / 1024.0) / weights_mib << "\n";
}

double memcpy_gib_per_s() {
  const size_t bytes = size_t(1) << 30;
  std::vector<char> from(bytes, 1), to(bytes, 0);
  const auto start = Clock::now();
  std::memcpy(to.data(), from.data(), bytes);
  const double elapsed = seconds_since(start);
  return 2.0 * bytes / elapsed / (1 << 30);  // read + write
}

void run(const std::string& dir) {
  torch::NoGradGuard no_grad;
  auto vlm = model::load_vlm(dir);
  const auto& config = vlm->config;
  const int64_t image_tokens = config.image_tokens;
  std::vector<int64_t> ids = {2, 105, 2364, 108, config.boi_token_id};
  ids.insert(ids.end(), image_tokens, config.image_token_id);
  ids.push_back(config.eoi_token_id);
  for (int i = 0; i < 24; ++i) ids.push_back(100 + i);  // the question and the chat template
  model::VlmInputs inputs;
  inputs.input_ids = torch::tensor(ids, torch::kInt64).unsqueeze(0);
  inputs.pixel_values = torch::randn({1, 3, config.vision.image_size, config.vision.image_size});

  auto time_forward = [&](model::Session& session) {
    session.reset();
    const auto start = Clock::now();
    vlm->forward(inputs, session);
    return seconds_since(start);
  };
  model::Session plain, hooked;
  time_forward(plain);  // warm-up
  int captured = 0;  // 30 capture hooks on the decoder's residual stream and attention outputs
  for (const auto& point : model::all_hook_points(config)) {
    const bool decoder_stream = !point.vision && (point.site == model::Site::ResidPost || point.site == model::Site::AttnOut);
    if (decoder_stream && captured < 30) {
      hooked.hooks.capture(point);
      ++captured;
    }
  }
  double plain_s = 1e9, hooked_s = 1e9;
  for (int i = 0; i < 3; ++i) {
    plain_s = std::min(plain_s, time_forward(plain));
    hooked_s = std::min(hooked_s, time_forward(hooked));
  }
  const double prefill_tps = double(ids.size()) / plain_s;
  std::cout << "prefill: " << ids.size() << " tokens in " << plain_s << " s = " << prefill_tps << " tokens/s\n"
            << "hooks: " << captured << " capture hooks cost " << hooked_s / plain_s << "x the empty hook set\n";

  model::GenerateOptions options;
  options.max_new_tokens = 32;
  plain.reset();
  const auto start = Clock::now();
  model::generate(*vlm, plain, inputs, options);
  const double total = seconds_since(start);
  const double decode_tps = (options.max_new_tokens - 1) / (total - plain_s);
  int64_t decoder_parameters = 0;
  for (const auto& p : vlm->language_model->parameters()) decoder_parameters += p.numel();
  const double gib_per_token = decoder_parameters * 4.0 / (1 << 30);
  const double bandwidth = memcpy_gib_per_s();
  std::cout << "decode: " << decode_tps << " tokens/s; reads " << gib_per_token * decode_tps
            << " GiB/s of weights = " << gib_per_token * decode_tps / bandwidth
            << " of the memcpy bandwidth measured now (" << bandwidth << " GiB/s)\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: model_bench make|load|run DIR [--size 400m|1b]\n";
    return 2;
  }
  const std::string mode = argv[1], dir = argv[2];
  const std::string size = argc > 4 && std::string(argv[3]) == "--size" ? argv[4] : "400m";
  try {
    if (mode == "make") make(dir, size);
    else if (mode == "load") load(dir);
    else if (mode == "run") run(dir);
    else throw std::runtime_error("unknown mode " + mode);
  } catch (const std::exception& error) {
    std::cerr << "model_bench: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
