// The SAEs a workspace holds: saes/NAME/ folders with a cfg.json (SAELens layout) or a
// params.safetensors (Gemma Scope layout). Torch-free.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace loupe::workspace {

// The most recently written SAE under `saes_folder` (by its cfg.json or params.safetensors write
// time; equal times are ordered by folder name, the last name winning), so that the choice never
// depends on the order a directory listing happens to give. Nothing when there is none.
std::optional<std::filesystem::path> newest_sae(const std::filesystem::path& saes_folder);

// The names of every SAE folder under `saes_folder`, sorted; empty when there is none.
std::vector<std::string> sae_names(const std::filesystem::path& saes_folder);

}  // namespace loupe::workspace
