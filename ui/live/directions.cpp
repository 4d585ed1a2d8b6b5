#include "ui/live/directions.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "core/error.h"
#include "core/eval/gender.h"
#include "core/io/dataset.h"
#include "core/model/caption.h"
#include "core/model/inputs.h"
#include "core/sae/sae_io.h"
#include "core/tensor/convert.h"
#include "core/text/prompt.h"
#include "ui/live/loaded_model.h"

namespace loupe::ui {

namespace {

std::vector<float> to_vector(const torch::Tensor& values) {
  const torch::Tensor flat = values.to(torch::kFloat32).contiguous().cpu();
  return std::vector<float>(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
}

std::string lower(std::string word) {
  for (char& c : word) c = char(std::tolower(static_cast<unsigned char>(c)));
  return word;
}

}  // namespace

std::vector<LabeledImage> dataset_gender_images(const std::string& dataset_folder, size_t per_group) {
  const io::Dataset dataset = io::load_dataset(dataset_folder);
  if (std::find(dataset.label_columns.begin(), dataset.label_columns.end(), "gender") == dataset.label_columns.end())
    throw InputError("the dataset " + dataset.root + " has no `gender` column to split woman and man images");
  std::vector<LabeledImage> images;
  size_t women = 0, men = 0;
  for (const auto& row : dataset.rows) {
    const std::string gender = lower(row.labels.at("gender"));
    if ((gender == "woman" || gender == "female") && women < per_group) {
      images.push_back({row.image, true});
      ++women;
    }
    if ((gender == "man" || gender == "male") && men < per_group) {
      images.push_back({row.image, false});
      ++men;
    }
  }
  return images;
}

std::shared_ptr<const Direction> gender_direction(const LoadedModel& model, const std::vector<LabeledImage>& images,
                                                  const std::string& hook, GenderLabel label, jobs::JobContext& job) {
  torch::NoGradGuard no_grad;
  model::VlmImpl& vlm = *model.vlm;
  const model::HookPoint point = model::parse_hook(hook, vlm.config);
  job.set_total(int64_t(images.size()));
  job.set_stage(label == GenderLabel::Figure ? "mean activation per image" : "captioning and mean activation per image");
  std::vector<torch::Tensor> women, men;  // each [d]
  model::Session session;
  for (const LabeledImage& image : images) {
    job.throw_if_cancelled();
    const torch::Tensor pixels = model::image_pixels(vlm.config, image.path).to(vlm.device(), vlm.dtype());  // [1,3,S,S]
    bool woman = image.woman;
    if (label == GenderLabel::Caption) {
      session.hooks.clear();
      model::CaptionOptions options;
      const auto caption = model::caption_images(vlm, *model.tokenizer, pixels, options, session)[0];
      const eval::Gender said = eval::infer_gender(caption.text, eval::Language::English).gender;
      job.log(std::filesystem::path(image.path).filename().string() + ": \"" + caption.text + "\" → " + eval::gender_name(said));
      if (said != eval::Gender::Female && said != eval::Gender::Male) {
        job.advance(1, image.path);
        continue;
      }
      woman = said == eval::Gender::Female;
    }
    const model::VlmInputs prompt = model::caption_prompt(vlm, *model.tokenizer, text::caption_question("en"), pixels);
    session.reset();
    session.hooks.clear();
    session.hooks.capture(point);
    vlm.forward(prompt, session);
    torch::Tensor x = session.hooks.captured(point)[0].to(torch::kFloat32);  // [P, d]
    if (!point.vision && point.site != model::Site::ProjectorOut)
      x = x.index_select(0, prompt.token_type_ids[0].nonzero().squeeze(1));  // image-token positions [16, d]
    (woman ? women : men).push_back(x.mean(0));
    job.advance(1, image.path);
  }
  session.hooks.clear();
  if (women.empty() || men.empty())
    throw InputError("the gender direction needs at least one woman and one man image (got " +
                     std::to_string(women.size()) + " and " + std::to_string(men.size()) + ")");
  const torch::Tensor difference = torch::stack(women).mean(0) - torch::stack(men).mean(0);  // [d]
  auto direction = std::make_shared<Direction>();
  direction->name = label == GenderLabel::Figure ? "gender" : "gender-caption";
  direction->hook = hook;
  direction->values = to_vector(difference);
  // Measured on the demo model at blocks.0.hook_resid_post (docs/gui.md): caption labels flip the
  // English caption's gender at |alpha| 2, figure labels at 2–4 for most images.
  direction->suggested_range = label == GenderLabel::Caption ? 4.0f : 8.0f;
  direction->description = "mean(woman) − mean(man) of " + hook + " over image tokens; " + std::to_string(women.size()) +
                           " woman and " + std::to_string(men.size()) + " man images, labelled by " +
                           (label == GenderLabel::Figure ? "the figure shown" : "the model's English caption") +
                           "; |d| = " + std::to_string(difference.norm().item<float>());
  job.log(direction->description);
  return direction;
}

std::shared_ptr<const Direction> file_direction(const std::string& file_colon_key, const std::string& hook) {
  const torch::Tensor vector = tensor::load_reference(file_colon_key);
  if (vector.dim() != 1 && !(vector.dim() == 2 && vector.size(0) == 1))
    throw InputError(file_colon_key + " holds a tensor of " + std::to_string(vector.dim()) + " axes; a direction is one vector [d]");
  auto direction = std::make_shared<Direction>();
  direction->name = std::filesystem::path(file_colon_key).filename().string();
  direction->hook = hook;
  direction->values = to_vector(vector.flatten());
  direction->description = "read from " + file_colon_key;
  direction->suggested_range = 4.0f;
  return direction;
}

std::shared_ptr<const Direction> sae_latent_direction(const std::string& sae_path, int64_t latent,
                                                      const std::string& fallback_hook) {
  const sae::Sae loaded = sae::load_sae(sae_path);
  if (latent < 0 || latent >= loaded.config.d_sae)
    throw InputError("latent " + std::to_string(latent) + " is outside 0.." + std::to_string(loaded.config.d_sae - 1) + " of " + sae_path);
  auto direction = std::make_shared<Direction>();
  direction->name = "latent-" + std::to_string(latent);
  direction->hook = loaded.config.hook_name.empty() ? fallback_hook : loaded.config.hook_name;
  direction->values = to_vector(loaded.W_dec[latent]);  // [d_in]
  direction->description = "decoder row of latent " + std::to_string(latent) + " of the SAE " + sae_path;
  direction->suggested_range = 20.0f;
  return direction;
}

void export_directions(const std::string& path, const std::vector<std::shared_ptr<const Direction>>& directions) {
  if (directions.empty()) throw InputError("there is no direction to export; add one in the Steering panel");
  tensor::NamedTensors tensors;
  std::map<std::string, std::string> metadata;
  for (const auto& direction : directions) {
    tensors.push_back({direction->name, torch::tensor(direction->values, torch::kFloat32)});
    metadata[direction->name] = direction->hook;
  }
  tensor::save(path, tensors, metadata);
}

}  // namespace loupe::ui
