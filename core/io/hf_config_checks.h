// The bounds every size in a model config must keep, and the checks that span several fields.
// Each bound is far above the supported families' largest checkpoints (Gemma-3-27B: 62 layers,
// width 5376, MLP 21504, 32 heads of 128, vocabulary 262208, 896 px images in 14 px patches;
// LLaVA-1.5-13B: 40 layers, width 5120, MLP 13824, 40 heads, vocabulary 32064, 336 px in 14 px
// patches), yet small enough that no size, nor a product of two, can overflow a tensor's byte
// count, and that a config naming a billion layers is refused before anything is allocated.
#pragma once
#include <cstdint>

#include "core/io/hf_config.h"
#include "core/util/json_fields.h"

namespace loupe::io::limits {

constexpr int64_t kLayers = 1024;          // num_hidden_layers, text and vision
constexpr int64_t kHidden = 65536;         // hidden_size
constexpr int64_t kIntermediate = 262144;  // intermediate_size
constexpr int64_t kHeads = 1024;           // num_attention_heads, num_key_value_heads
constexpr int64_t kHeadDim = 1024;         // head_dim
constexpr int64_t kVocab = 4194304;        // vocab_size (2^22)
constexpr int64_t kPositions = 16777216;   // max_position_embeddings, sliding_window (2^24)
constexpr int64_t kImageSize = 4096;       // vision image_size, in pixels
constexpr int64_t kPatches = 65536;        // patches per image (a 256 x 256 grid)
constexpr int64_t kIdsPerList = 256;       // entries of an eos_token_id list
// The parameter count the sizes describe (estimated from the sizes: weights of the embedding,
// attention, MLP, vision tower and projector): 2^38, about 275 billion, ten times Gemma-3-27B.
constexpr double kParameters = 274877906944.0;
constexpr double kEps = 1.0;               // rms_norm_eps, layer_norm_eps: above 0, at most this
constexpr double kRopeTheta = 1e12;        // rope_theta, rope_local_base_freq
constexpr double kRopeFactor = 1024;       // linear rope scaling factor
constexpr double kAttentionScalar = 1e6;   // query_pre_attn_scalar

}  // namespace loupe::io::limits

namespace loupe::io {

// hidden_size a multiple of num_attention_heads; image_size a multiple of patch_size; at most
// limits::kPatches patches. `v` is the vision_config section the sizes were read from.
void check_vision_shape(const VisionConfig& vision, const util::JsonFields& v);
// num_attention_heads a multiple of num_key_value_heads; head_dim even (rotary embeddings).
void check_text_shape(const TextConfig& text, const util::JsonFields& t);
// The estimated parameter count within limits::kParameters.
void check_parameter_count(const ModelConfig& config, const util::JsonFields& top);
// The estimate itself (weights only; norms and biases are left out).
double estimated_parameters(const ModelConfig& config);

}  // namespace loupe::io
