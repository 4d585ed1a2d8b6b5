#include "fixture_case.h"

#include <fstream>
#include <map>
#include <memory>

#include "core/tensor/convert.h"
#include "core/util/atomic_file.h"
#include "support/temp_dir.h"

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
  // One private folder per test process and (family, config): test processes run in parallel,
  // so a shared path under /tmp would be rewritten by one while another reads it.
  static std::map<std::string, std::unique_ptr<TempDir>> copies;
  auto& copy = copies[family_folder + "/" + config_file];
  if (copy) return copy->path.string();
  copy = std::make_unique<TempDir>("loupe-" + family_folder);
  const fs::path source = fs::path(LOUPE_FIXTURES) / family_folder;
  fs::copy_file(source / config_file, copy->path / "config.json");
  fs::copy_file(source / "model.safetensors", copy->path / "model.safetensors");
  return copy->path.string();
}

}  // namespace loupe::test
