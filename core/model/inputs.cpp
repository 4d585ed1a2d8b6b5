#include "core/model/inputs.h"

#include <filesystem>
#include <map>
#include <mutex>

#include "core/error.h"
#include "core/io/image.h"
#include "core/tensor/convert.h"
#include "core/text/prompt.h"
#include "core/text/token_type.h"
#include "core/util/id_list.h"

namespace loupe::model {

namespace {

torch::Tensor stored_pixels(const io::ModelConfig& config, const std::string& reference) {
  torch::Tensor pixels = tensor::load_reference(reference).to(torch::kFloat32);
  if (pixels.dim() == 3) pixels = pixels.unsqueeze(0);
  const int64_t size = config.vision.image_size;
  if (pixels.dim() != 4 || pixels.size(1) != 3 || pixels.size(2) != size || pixels.size(3) != size)
    throw InputError(reference + " holds pixel values of shape " + c10::str(pixels.sizes()) + "; this model takes [3, " +
                     std::to_string(size) + ", " + std::to_string(size) + "]");
  return pixels;
}

}  // namespace

torch::Tensor image_pixels(const io::ModelConfig& config, const std::string& image_path) {
  const io::Image image = io::load_image(image_path);
  const int size = int(config.vision.image_size);
  const io::Pixels pixels =
      config.family == io::Family::Gemma3 ? io::siglip_pixels(image, size) : io::clip_pixels(image, size);
  return torch::tensor(pixels.values, torch::kFloat32).view({1, pixels.channels, pixels.height, pixels.width});
}

std::shared_ptr<const text::Tokenizer> model_tokenizer(const std::string& model_folder) {
  // Loading a 262k-entry tokenizer takes a second: keep one per folder for the process.
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const text::Tokenizer>> loaded;
  const std::string path = model_folder + "/tokenizer.json";
  std::lock_guard<std::mutex> lock(mutex);
  auto found = loaded.find(path);
  if (found != loaded.end()) return found->second;
  if (!std::filesystem::exists(path))
    throw IoError(model_folder + " has no tokenizer.json; pass prompt ids with --ids instead of a text prompt");
  auto tokenizer = std::make_shared<const text::Tokenizer>(text::Tokenizer::load(path));
  loaded.emplace(path, tokenizer);
  return tokenizer;
}

text::Prompt family_prompt(const io::ModelConfig& config, const text::Tokenizer& tokenizer, const std::string& question) {
  return config.family == io::Family::Gemma3
             ? text::gemma3_prompt(tokenizer, question, config.image_tokens)
             : text::llava15_prompt(tokenizer, question, config.image_tokens, config.image_token_id);
}

VlmInputs caption_prompt(const VlmImpl& model, const text::Tokenizer& tokenizer, const std::string& question,
                         const torch::Tensor& pixels) {
  const auto& config = model.config;
  const text::Prompt prompt = family_prompt(config, tokenizer, question);
  const int64_t image_tokens = std::count(prompt.ids.begin(), prompt.ids.end(), config.image_token_id);
  if (image_tokens != config.image_tokens)
    throw ConfigError("the tokenizer's image token does not match the model's image_token_id " +
                      std::to_string(config.image_token_id) + "; is tokenizer.json from the same checkpoint?");
  VlmInputs inputs;
  inputs.input_ids = torch::tensor(prompt.ids, torch::kInt64).unsqueeze(0);
  inputs.token_type_ids = torch::tensor(prompt.token_type_ids, torch::kInt64).unsqueeze(0);
  inputs.pixel_values = pixels;
  return inputs;
}

VlmInputs prepare_inputs(const VlmImpl& model, const std::string& model_folder, const InputSpec& spec) {
  const auto& config = model.config;
  if (!spec.image.empty() && !spec.pixels.empty()) throw InputError("give either an image or stored pixels, not both");
  if (spec.image.empty() && spec.pixels.empty()) throw InputError("an image is required (--image PATH or --pixels FILE:KEY)");
  if (!spec.ids.empty() && !spec.question.empty()) throw InputError("give either prompt ids or a prompt text, not both");
  const torch::Tensor pixels = spec.image.empty() ? stored_pixels(config, spec.pixels) : image_pixels(config, spec.image);

  if (spec.ids.empty()) {
    const std::string question = spec.question.empty() ? text::caption_question(spec.lang) : spec.question;
    return caption_prompt(model, *model_tokenizer(model_folder), question, pixels);
  }
  const std::vector<int64_t> ids = util::read_id_argument(spec.ids, "--ids");
  for (int64_t id : ids)
    if (id >= config.text.vocab)
      throw InputError("--ids: id " + std::to_string(id) + " is outside the model's vocabulary of " +
                       std::to_string(config.text.vocab));
  if (std::count(ids.begin(), ids.end(), config.image_token_id) == 0)
    throw InputError("the prompt ids hold no image token (id " + std::to_string(config.image_token_id) +
                     "); the model needs " + std::to_string(config.image_tokens) + " of them for the image");
  VlmInputs inputs;
  inputs.input_ids = torch::tensor(ids, torch::kInt64).unsqueeze(0);
  inputs.pixel_values = pixels;
  return inputs;
}

VlmInputs with_answer(const VlmInputs& prompt, const std::vector<int64_t>& answer) {
  const torch::Tensor tokens = torch::tensor(answer, torch::kInt64).view({1, -1}).to(prompt.input_ids.device());
  VlmInputs inputs;
  inputs.input_ids = torch::cat({prompt.input_ids, tokens}, 1);
  inputs.token_type_ids = torch::cat({prompt.token_type_ids, torch::full_like(tokens, kTextToken)}, 1);
  inputs.pixel_values = prompt.pixel_values;
  return inputs;
}

VlmInputs repeated_inputs(const VlmInputs& one, int64_t copies) {
  VlmInputs batch;
  batch.input_ids = one.input_ids.expand({copies, -1}).contiguous();
  if (one.token_type_ids.defined()) batch.token_type_ids = one.token_type_ids.expand({copies, -1}).contiguous();
  if (one.pixel_values.defined()) batch.pixel_values = one.pixel_values.repeat({copies, 1, 1, 1});
  return batch;
}

}  // namespace loupe::model
