// SAEs on disk, in the layouts the community uses (docs/sae.md, Format):
//  - SAELens: a folder with cfg.json, sae_weights.safetensors (W_enc [d_in,d_sae], W_dec [d_sae,d_in],
//    b_enc, b_dec, threshold for JumpReLU) and optionally sparsity.safetensors ("sparsity": log10 of
//    each latent's firing frequency, [d_sae]). loupe writes the flat cfg.json of SAELens before 6.0,
//    which SAE.load_from_disk of SAELens 5 and 6 both read; it reads that and the 6.x layout.
//  - Gemma Scope: params.safetensors with w_enc, w_dec, b_enc, b_dec, threshold (JumpReLU, no b_dec
//    subtraction at the input); no config file.
#pragma once
#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/sae/sae.h"

namespace loupe::sae {

inline constexpr const char* kCfgFile = "cfg.json";
inline constexpr const char* kWeightsFile = "sae_weights.safetensors";
inline constexpr const char* kSparsityFile = "sparsity.safetensors";
inline constexpr const char* kGemmaScopeFile = "params.safetensors";

// saelens_cfg and config_from_saelens (cfg.json) are in core/sae/sae_config.h.

// Writes folder/sae_weights.safetensors (in config.dtype), then cfg.json, and sparsity.safetensors
// when log10_density [d_sae] is given; each file atomically. Creates the folder.
void save_sae(const std::string& folder, const Sae& sae, const torch::Tensor& log10_density = {});

// Loads an SAELens folder or a Gemma Scope folder / params.safetensors file into float32 CPU
// tensors. Throws InputError when the path holds neither, FormatError naming a missing or mis-shaped
// tensor.
Sae load_sae(const std::string& path);

// The folder's sparsity.safetensors as [d_sae] log10 densities; undefined when the file is absent.
torch::Tensor load_log10_density(const std::string& folder);

}  // namespace loupe::sae
