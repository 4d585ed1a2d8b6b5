#include "core/train/checkpoint.h"

#include <filesystem>
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

// Every parameter of the model by name (live tensors).
tensor::NamedTensors checkpoint_model_weights(const model::VlmImpl& model) {
  tensor::NamedTensors weights;
  for (const auto& item : model.named_parameters()) weights.emplace_back(item.key(), item.value());
  return weights;
}

}  // namespace

void save_checkpoint(const std::string& path, const tensor::NamedTensors& weights, const AdamW& optimizer,
                     const CheckpointInfo& info) {
  tensor::NamedTensors tensors;
  for (const auto& [name, value] : weights) tensors.emplace_back("model." + name, value.detach());
  for (auto& [name, moment] : optimizer.state()) tensors.emplace_back("adam." + name, moment);
  tensor::save(path, tensors,
               {{"format", kFormat},
                {"step", std::to_string(info.step)},
                {"seed", std::to_string(info.seed)},
                {"steps", std::to_string(info.steps)},
                {"batch", std::to_string(info.batch)},
                {"lr", exact_text(info.lr)},
                {"options", info.options}});
}

void save_checkpoint(const std::string& path, const model::VlmImpl& model, const AdamW& optimizer,
                     const CheckpointInfo& info) {
  save_checkpoint(path, checkpoint_model_weights(model), optimizer, info);
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
    auto options = file.metadata().find("options");  // absent from checkpoints of loupe 0.9.1 and older
    if (options != file.metadata().end()) info.options = options->second;
  } catch (const std::logic_error&) {
    throw FormatError(path + " holds a checkpoint whose metadata is not numeric");
  }
  return info;
}

int64_t starting_step(const std::string& path, bool resume, const CheckpointInfo& expected) {
  const std::string folder = std::filesystem::path(path).parent_path().string();
  const bool exists = std::filesystem::exists(path);
  if (exists && !resume)
    throw InputError(folder + " already holds a training checkpoint; pass --resume to continue it or choose another --out");
  if (!exists && resume)
    throw InputError("--resume: " + folder + " holds no checkpoint (" + std::filesystem::path(path).filename().string() +
                     ") to continue from");
  if (!exists) return 0;
  const CheckpointInfo info = read_checkpoint_info(path);
  auto differs = [&](const char* what, const std::string& stored, const std::string& asked) {
    if (stored != asked)
      throw InputError(path + " was made with " + what + " " + stored + ", not " + asked +
                       "; resume with the same options or train into another --out");
  };
  differs("--seed", std::to_string(info.seed), std::to_string(expected.seed));
  differs("--steps", std::to_string(info.steps), std::to_string(expected.steps));
  differs("--batch", std::to_string(info.batch), std::to_string(expected.batch));
  if (info.lr != expected.lr) differs("--lr", c10::str(info.lr), c10::str(expected.lr));
  differs("the options", info.options, expected.options);
  return info.step;
}

void checkpoint_if_cancelled(jobs::JobContext& context, int64_t step, const std::function<void(int64_t)>& save) {
  if (!context.cancel_requested()) return;
  save(step);
  context.throw_if_cancelled();
}

void load_checkpoint(const std::string& path, const tensor::NamedTensors& weights, AdamW& optimizer) {
  const CheckpointInfo info = read_checkpoint_info(path);
  const auto file = io::SafeTensors::open(path);
  {
    torch::NoGradGuard no_grad;
    for (const auto& item : weights) {
      const std::string key = "model." + item.first;
      if (!file.contains(key)) throw FormatError(path + " has no weight '" + key + "'");
      const torch::Tensor stored = tensor::view_of(file.at(key));
      if (stored.sizes() != item.second.sizes())
        throw FormatError(path + ": '" + key + "' has shape " + c10::str(stored.sizes()) + " but the model's is " +
                          c10::str(item.second.sizes()));
      torch::Tensor target = item.second;
      target.copy_(stored);
    }
  }
  optimizer.load_state(file, "adam.", info.step);
}

void load_checkpoint(const std::string& path, model::VlmImpl& model, AdamW& optimizer) {
  load_checkpoint(path, checkpoint_model_weights(model), optimizer);
}

}  // namespace loupe::train
