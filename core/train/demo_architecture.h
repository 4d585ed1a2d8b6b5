// The bundled demo captioner's architecture: a small Gemma 3 (SigLIP tower, average-pool projector,
// Gemma 3 decoder) written as a Hugging Face config.json in the newer style, so the model loads
// and runs through exactly the code paths of a real Gemma 3 checkpoint.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>

namespace loupe::train {

struct DemoArchitecture {
  // Vision tower: image_size / patch_size = 8 patches a side, pooled to 4 x 4 = 16 image tokens.
  int64_t image_size = 128, patch_size = 16, image_tokens = 16;
  int64_t vision_hidden = 128, vision_intermediate = 512, vision_layers = 4, vision_heads = 4;
  // Decoder: the last of every `sliding_pattern` layers attends globally, the others within
  // sliding_window positions (larger than any captioning prompt with its answer).
  int64_t text_hidden = 256, text_intermediate = 512, text_layers = 4, text_heads = 4, text_kv_heads = 2;
  int64_t head_dim = 64, sliding_window = 128, sliding_pattern = 4, max_positions = 256;
};

// config.json for a vocabulary of `vocab` tokens laid out as text::build_tokenizer_json does.
// Throws InputError for widths that do not fit together (heads, patches, image tokens).
nlohmann::json demo_config_json(const DemoArchitecture& architecture, int64_t vocab);
// generation_config.json: stops at <eos> and <end_of_turn>.
nlohmann::json demo_generation_config_json();

}  // namespace loupe::train
