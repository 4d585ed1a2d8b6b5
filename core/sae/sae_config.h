// What an SAE is, apart from its tensors: kind, sizes and provenance, read from and written to a
// SAELens cfg.json, and the check of a weights file's header against it. Torch-free (part of
// loupe_base), so the fuzzers read cfg.json and weights headers the way load_sae does.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "core/io/safetensors.h"

namespace loupe::sae {

enum class SaeKind { Relu, TopK, JumpRelu };

// Bounds on the sizes an SAE may have, checked before anything is allocated. The largest public
// SAEs (Gemma Scope: d_in 3584, 2^20 latents) lie well inside.
// The training checkpoint in an SAE folder (core/sae/sae_checkpoint.h): --resume continues from it.
inline constexpr const char* kCheckpointFile = "checkpoint.safetensors";

inline constexpr int64_t kMaxSaeInputWidth = int64_t(1) << 20;   // d_in
inline constexpr int64_t kMaxSaeLatents = int64_t(1) << 26;      // d_sae
inline constexpr int64_t kMaxSaeParameters = int64_t(1) << 34;   // d_in · d_sae of one matrix

// Throws InputError naming the bound when d_in or d_sae is below 1 or above its bound, or their
// product above kMaxSaeParameters. `what` names the source ("--expansion 8 gives", "cfg.json:").
void check_sae_size(int64_t d_in, int64_t d_sae, const std::string& what);

const char* kind_name(SaeKind kind);            // "relu", "topk", "jumprelu"
SaeKind parse_kind(const std::string& word);    // throws InputError listing the kinds

struct SaeConfig {
  SaeKind kind = SaeKind::TopK;
  int64_t d_in = 0;
  int64_t d_sae = 0;
  int64_t k = 0;                    // TopK: active latents per vector
  bool apply_b_dec_to_input = true;  // Gemma Scope SAEs: false
  std::string hook_name;            // TransformerLens name, e.g. "blocks.2.hook_resid_post"
  std::string model_name;
  std::string dtype = "float32";  // of the stored weights
  double input_scale = 1.0;       // training scaled inputs by this (already folded into the weights)
  nlohmann::json extra = nlohmann::json::object();  // other cfg.json fields, kept on a round trip
};

// The cfg.json object SAELens reads for this config.
nlohmann::json saelens_cfg(const SaeConfig& config);
// Reads a cfg.json object (pre-6.0 flat layout or 6.x with "metadata"); `source` names it in errors.
// Throws FormatError for missing fields or an architecture/normalisation loupe cannot run.
SaeConfig config_from_saelens(const nlohmann::json& cfg, const std::string& source);

// How a weights file names its matrices: SAELens W_enc / W_dec, Gemma Scope w_enc / w_dec.
enum class SaeLayout { SaeLens, GemmaScope };
// Checks a weights file's header (`path` names it in errors) against `config` before any tensor is
// made: every tensor the kind needs is there, floating point (F32, F16, BF16, F64) and of the
// config's shape. Throws FormatError naming the file and the tensor.
void check_sae_weights(const io::SafeTensors& file, const SaeConfig& config, SaeLayout layout, const std::string& path);

}  // namespace loupe::sae
