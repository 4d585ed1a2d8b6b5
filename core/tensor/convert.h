// Bridges between safetensors views and torch tensors.
#pragma once
#include <torch/torch.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/io/safetensors.h"

namespace loupe::tensor {

torch::ScalarType scalar_type(io::DType dtype);
io::DType file_dtype(torch::ScalarType type);  // throws InputError for types safetensors lacks

// A read-only CPU tensor over the mapped bytes (no copy); it keeps the file mapped while it lives.
// Never modify it in place: clone() or .to() first.
torch::Tensor view_of(const io::TensorView& view);

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// Writes tensors (any device, any layout) atomically; order is kept in the file.
void save(const std::string& path, const NamedTensors& tensors, const std::map<std::string, std::string>& metadata = {});
// Loads one tensor as an owned CPU copy; throws InputError naming file and key when absent.
torch::Tensor load(const std::string& path, const std::string& key);
// "FILE.safetensors:KEY" → load(FILE, KEY).
torch::Tensor load_reference(const std::string& file_colon_key);

// Any tensor's values as float32, in row-major order (copied to the CPU).
std::vector<float> to_floats(const torch::Tensor& values);

// "--dtype" words: f32/float32, bf16/bfloat16, f16/float16.
torch::ScalarType parse_dtype(const std::string& word);
// "--device" words: cpu, cuda, cuda:N. Throws InputError when CUDA is asked for but absent.
torch::Device parse_device(const std::string& word);

}  // namespace loupe::tensor
