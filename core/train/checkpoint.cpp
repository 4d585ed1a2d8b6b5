#include "core/train/checkpoint.h"

#include <sstream>

#include "core/error.h"
#include "core/io/safetensors.h"
#include "core/tensor/convert.h"

namespace loupe::train {

namespace {

constexpr const char* kFormat = "loupe-caption-checkpoint-1";

std::string exact_text(double value) {
  std::ostringstream text;
  text.precision(17);
  text << value;
  return text.str();
}

const std::string& metadata_field(const io::SafeTensors& file, const std::string& path, const std::string& key) {
  auto found = file.metadata().find(key);
  if (found == file.metadata().end())
    throw FormatError(path + " is not a loupe training checkpoint (its metadata has no '" + key + "')");
  return found->second;
}

}  // namespace

void save_checkpoint(const std::string& path, const model::VlmImpl& model, const AdamW& optimizer,
                     const CheckpointInfo& info) {
  tensor::NamedTensors tensors;
  for (const auto& item : model.named_parameters()) tensors.emplace_back("model." + item.key(), item.value().detach());
  for (auto& [name, moment] : optimizer.state()) tensors.emplace_back("adam." + name, moment);
  tensor::save(path, tensors,
               {{"format", kFormat},
                {"step", std::to_string(info.step)},
                {"seed", std::to_string(info.seed)},
                {"steps", std::to_string(info.steps)},
                {"batch", std::to_string(info.batch)},
                {"lr", exact_text(info.lr)}});
}

CheckpointInfo read_checkpoint_info(const std::string& path) {
  const auto file = io::SafeTensors::open(path);
  if (metadata_field(file, path, "format") != kFormat)
    throw FormatError(path + " is a checkpoint of another format (" + metadata_field(file, path, "format") + ")");
  CheckpointInfo info;
  try {
    info.step = std::stoll(metadata_field(file, path, "step"));
    info.seed = std::stoull(metadata_field(file, path, "seed"));
    info.steps = std::stoll(metadata_field(file, path, "steps"));
    info.batch = std::stoll(metadata_field(file, path, "batch"));
    info.lr = std::stod(metadata_field(file, path, "lr"));
  } catch (const std::logic_error&) {
    throw FormatError(path + " holds a checkpoint whose metadata is not numeric");
  }
  return info;
}

void load_checkpoint(const std::string& path, model::VlmImpl& model, AdamW& optimizer) {
  const CheckpointInfo info = read_checkpoint_info(path);
  const auto file = io::SafeTensors::open(path);
  {
    torch::NoGradGuard no_grad;
    for (auto& item : model.named_parameters()) {
      const std::string key = "model." + item.key();
      if (!file.contains(key)) throw FormatError(path + " has no weight '" + key + "'");
      const torch::Tensor stored = tensor::view_of(file.at(key));
      if (stored.sizes() != item.value().sizes())
        throw FormatError(path + ": '" + key + "' has shape " + c10::str(stored.sizes()) + " but the model's is " +
                          c10::str(item.value().sizes()));
      item.value().copy_(stored);
    }
  }
  optimizer.load_state(file, "adam.", info.step);
}

}  // namespace loupe::train
