#include "core/tensor/convert.h"

#include "core/error.h"

namespace loupe::tensor {

namespace {
struct TypePair {
  io::DType file;
  torch::ScalarType torch;
};
const TypePair kTypes[] = {
    {io::DType::F64, torch::kFloat64}, {io::DType::F32, torch::kFloat32}, {io::DType::F16, torch::kFloat16},
    {io::DType::BF16, torch::kBFloat16}, {io::DType::I64, torch::kInt64}, {io::DType::I32, torch::kInt32},
    {io::DType::I16, torch::kInt16}, {io::DType::I8, torch::kInt8}, {io::DType::U8, torch::kUInt8},
    {io::DType::BOOL, torch::kBool},
};
}  // namespace

torch::ScalarType scalar_type(io::DType dtype) {
  for (const auto& pair : kTypes)
    if (pair.file == dtype) return pair.torch;
  throw InputError("no torch type for safetensors dtype");
}

io::DType file_dtype(torch::ScalarType type) {
  for (const auto& pair : kTypes)
    if (pair.torch == type) return pair.file;
  throw InputError(std::string("safetensors cannot store torch type ") + c10::toString(type));
}

torch::Tensor view_of(const io::TensorView& view) {
  auto owner = view.owner;  // keeps the mapping alive until torch frees the tensor
  return torch::from_blob(const_cast<uint8_t*>(view.data), view.shape, [owner](void*) {},
                          torch::TensorOptions().dtype(scalar_type(view.dtype)));
}

void save(const std::string& path, const NamedTensors& tensors, const std::map<std::string, std::string>& metadata) {
  std::vector<torch::Tensor> keep;  // contiguous CPU copies live until the write ends
  std::vector<io::TensorData> data;
  for (const auto& [name, tensor] : tensors) {
    keep.push_back(tensor.detach().to(torch::kCPU).contiguous());
    const torch::Tensor& cpu = keep.back();
    data.push_back({name, file_dtype(cpu.scalar_type()), cpu.sizes().vec(), cpu.data_ptr(),
                    size_t(cpu.numel()) * cpu.element_size()});
  }
  io::write_safetensors(path, data, metadata);
}

torch::Tensor load(const std::string& path, const std::string& key) {
  auto file = io::SafeTensors::open(path);
  return view_of(file.at(key)).clone();
}

torch::Tensor load_reference(const std::string& file_colon_key) {
  const size_t colon = file_colon_key.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == file_colon_key.size())
    throw InputError("expected FILE.safetensors:KEY, got '" + file_colon_key + "'");
  return load(file_colon_key.substr(0, colon), file_colon_key.substr(colon + 1));
}

torch::ScalarType parse_dtype(const std::string& word) {
  if (word == "f32" || word == "float32" || word == "fp32") return torch::kFloat32;
  if (word == "bf16" || word == "bfloat16") return torch::kBFloat16;
  if (word == "f16" || word == "float16" || word == "fp16") return torch::kFloat16;
  throw InputError("unknown dtype '" + word + "' (use f32, bf16 or f16)");
}

torch::Device parse_device(const std::string& word) {
  if (word == "cpu") return torch::kCPU;
  if (word.rfind("cuda", 0) == 0) {
    if (!torch::cuda::is_available())
      throw InputError("--device " + word + " asked for CUDA, but this LibTorch sees no CUDA device");
    return torch::Device(word);
  }
  throw InputError("unknown device '" + word + "' (use cpu, cuda or cuda:N)");
}

std::vector<float> to_floats(const torch::Tensor& values) {
  const torch::Tensor flat = values.to(torch::kFloat32).contiguous().cpu();
  return std::vector<float>(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
}

}  // namespace loupe::tensor
