// Loads the reference cases (tests/fixtures/{gemma3,llava}-tiny/case.*) computed by transformers.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "core/io/safetensors.h"
#include "core/model/vlm.h"

namespace loupe::test {

struct ReferenceCase {
  std::string folder;
  nlohmann::json meta;  // case.json
  io::SafeTensors tensors;
  torch::Tensor get(const std::string& name) const;
  model::VlmInputs inputs(const std::string& pixels_key = "pixel_values") const;  // batch 1
  torch::Tensor ids() const;  // [1, T]
};

ReferenceCase reference_case(const std::string& family_folder);  // "gemma3-tiny", "llava-tiny"

// ‖a − b‖∞ / ‖b‖∞ in float64.
double relative_error(const torch::Tensor& a, const torch::Tensor& b);

// A temporary copy of a fixture model folder with another config.json (e.g. the v4-style one).
std::string model_with_config(const std::string& family_folder, const std::string& config_file);

}  // namespace loupe::test
