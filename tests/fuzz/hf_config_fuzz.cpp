// Fuzzes the Hugging Face config reader (both families, both Gemma 3 styles): the input as a
// model folder's config.json, and as the generation_config.json beside a fixed valid Gemma 3
// config. On success the derived sizes are used the way the model code uses them.
#include <cstdint>
#include <string>

#include "core/error.h"
#include "core/io/hf_config.h"
#include "core/io/hf_config_checks.h"
#include "fuzz_scratch.h"

namespace {

// A small valid config (tests/fixtures/gemma3-tiny's shape) for the generation_config route.
constexpr const char* kGemmaConfig = R"({"model_type": "gemma3",
  "text_config": {"vocab_size": 300, "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
                  "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 16},
  "vision_config": {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1,
                    "num_attention_heads": 2, "image_size": 32, "patch_size": 8},
  "mm_tokens_per_image": 4, "image_token_index": 299, "boi_token_index": 297, "eoi_token_index": 298})";

// What model code derives from a config: every division and per-layer lookup it makes.
int64_t use(const loupe::io::ModelConfig& config) {
  const auto& text = config.text;
  int64_t sum = config.vision.patches_per_side() + config.vision.head_dim() + text.heads / text.kv_heads;
  for (int64_t layer = 0; layer < text.layers; ++layer) sum += text.is_sliding.at(size_t(layer)) ? 1 : 0;
  for (int64_t id : config.eos_ids) sum += id < text.vocab ? 0 : 1;
  return sum + int64_t(loupe::io::estimated_parameters(config) > 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& scratch = loupe::fuzz::scratch();
  const auto model = scratch.folder("config");
  const auto with_generation = scratch.folder("generation");
  static const bool written = [&] {
    const std::string text = kGemmaConfig;
    loupe::fuzz::Scratch::write(with_generation / "config.json", reinterpret_cast<const uint8_t*>(text.data()),
                                text.size());
    return true;
  }();
  (void)written;
  for (const auto& [folder, file] : {std::pair{model, "config.json"}, std::pair{with_generation, "generation_config.json"}}) {
    loupe::fuzz::Scratch::write(folder / file, data, size);
    try {
      volatile int64_t sink = use(loupe::io::read_model_config(folder.string()));
      (void)sink;
    } catch (const loupe::Error&) {
    }
  }
  return 0;
}
