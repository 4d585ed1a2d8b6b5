#include "fixture_case.h"

#include <fstream>

#include "core/tensor/convert.h"
#include "core/util/atomic_file.h"

namespace loupe::test {

namespace fs = std::filesystem;

torch::Tensor ReferenceCase::get(const std::string& name) const { return tensor::view_of(tensors.at(name)).clone(); }

torch::Tensor ReferenceCase::ids() const {
  return torch::tensor(meta["input_ids"].get<std::vector<int64_t>>(), torch::kInt64).unsqueeze(0);
}

model::VlmInputs ReferenceCase::inputs(const std::string& pixels_key) const {
  model::VlmInputs in;
  in.input_ids = ids();
  in.pixel_values = get(pixels_key).unsqueeze(0);
  if (meta["token_type_ids"].is_array())
    in.token_type_ids = torch::tensor(meta["token_type_ids"].get<std::vector<int64_t>>(), torch::kInt64).unsqueeze(0);
  return in;
}

ReferenceCase reference_case(const std::string& family_folder) {
  const std::string folder = std::string(LOUPE_FIXTURES) + "/" + family_folder;
  return ReferenceCase{folder, nlohmann::json::parse(util::read_file(folder + "/case.json")),
                       io::SafeTensors::open(folder + "/case.safetensors")};
}

double relative_error(const torch::Tensor& a, const torch::Tensor& b) {
  torch::Tensor x = a.detach().cpu().to(torch::kFloat64), y = b.detach().cpu().to(torch::kFloat64);
  if (x.sizes() != y.sizes()) return std::numeric_limits<double>::infinity();
  return ((x - y).abs().max() / y.abs().max()).item<double>();
}

std::string model_with_config(const std::string& family_folder, const std::string& config_file) {
  const fs::path source = fs::path(LOUPE_FIXTURES) / family_folder;
  const fs::path target = fs::temp_directory_path() / ("loupe-" + family_folder + "-" + config_file);
  fs::create_directories(target);
  fs::copy_file(source / config_file, target / "config.json", fs::copy_options::overwrite_existing);
  fs::copy_file(source / "model.safetensors", target / "model.safetensors", fs::copy_options::overwrite_existing);
  return target.string();
}

}  // namespace loupe::test
