#include "core/model/weights.h"

#include <map>

#include "core/error.h"
#include "core/io/safetensors.h"
#include "core/tensor/convert.h"

namespace loupe::model {

namespace {

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

// stored prefix → canonical prefix, tried in order
const std::pair<const char*, const char*> kPrefixes[] = {
    {"model.language_model.", "language_model.model."},
    {"model.vision_tower.vision_model.", "vision_tower."},
    {"model.vision_tower.", "vision_tower."},
    {"vision_tower.vision_model.", "vision_tower."},
    {"model.multi_modal_projector.", "multi_modal_projector."},
    {"lm_head.", "language_model.lm_head."},
};

std::string shape_text(c10::IntArrayRef shape) { return c10::str(shape); }

}  // namespace

std::string canonical_weight_name(const std::string& stored) {
  for (const auto& [from, to] : kPrefixes)
    if (starts_with(stored, from)) return to + stored.substr(std::string(from).size());
  return stored;
}

std::string hf_module_path(const std::string& canonical) {
  const std::pair<const char*, const char*> prefixes[] = {
      {"language_model.model.", "model.language_model."},
      {"vision_tower.", "model.vision_tower.vision_model."},
      {"multi_modal_projector.", "model.multi_modal_projector."},
      {"language_model.lm_head", "lm_head"},
  };
  for (const auto& [from, to] : prefixes)
    if (starts_with(canonical, from)) return to + canonical.substr(std::string(from).size());
  return canonical;
}

void load_weights(torch::nn::Module& module, const std::string& folder, jobs::JobContext* job) {
  const auto file = io::SafeTensors::open(folder);
  std::map<std::string, std::string> stored_by_canonical;
  for (const auto& name : file.names()) stored_by_canonical[canonical_weight_name(name)] = name;

  torch::NoGradGuard no_grad;
  const auto parameters = module.named_parameters();
  if (job) {
    job->set_stage("loading weights");
    job->set_total(int64_t(parameters.size()));
  }
  for (const auto& item : parameters) {
    if (job) job->throw_if_cancelled();
    torch::Tensor parameter = item.value();
    auto found = stored_by_canonical.find(item.key());
    if (found == stored_by_canonical.end())
      throw ConfigError(folder + ": missing weight '" + item.key() + "' (expected shape " + shape_text(parameter.sizes()) +
                        "); is the config.json right for these weights?");
    const io::TensorView& view = file.at(found->second);
    if (c10::IntArrayRef(view.shape) != parameter.sizes())
      throw ConfigError(folder + ": weight '" + found->second + "' has shape " + shape_text(view.shape) + " but the config expects " +
                        shape_text(parameter.sizes()));
    if (view.dtype != io::DType::F32 && view.dtype != io::DType::F16 && view.dtype != io::DType::BF16)
      throw ConfigError(folder + ": weight '" + found->second + "' is stored as " + io::dtype_name(view.dtype) +
                        " (supported: F32, F16, BF16)");
    parameter.copy_(tensor::view_of(view));
    file.release(found->second);
    // A NaN weight gave NaN logits and an empty caption with exit 0; a value past the compute
    // dtype's range (an F32 checkpoint run in f16) becomes infinite in the copy.
    if (!torch::isfinite(parameter).all().item<bool>())
      throw FormatError(folder + ": weight '" + found->second + "' holds NaN or infinite values (as " +
                        std::string(c10::toString(parameter.scalar_type())) + "); the checkpoint is damaged or out of range for that dtype");
    parameter.set_requires_grad(false);
    if (job) job->advance(1, item.key());
  }
}

}  // namespace loupe::model
