// Turning what a user names (an image file or stored pixels; a question or raw ids) into model
// inputs, the way the Hugging Face processor of the model's family would.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "core/model/vlm.h"
#include "core/text/prompt.h"
#include "core/text/tokenizer.h"

namespace loupe::model {

struct InputSpec {
  std::string image;     // an image file, preprocessed by the family's image processor
  std::string pixels;    // or stored pixel values: FILE.safetensors:KEY ([3,S,S] or [1,3,S,S])
  std::string question;  // the user's turn; empty: the captioning question in `lang`
  Language lang = Language::English;
  std::string ids;       // or raw prompt ids: "2,43,..." or "@ids.json" (util::read_id_argument)
};

// [1, 3, S, S] pixel values for one image file (SigLIP resize for Gemma 3, CLIP for LLaVA).
torch::Tensor image_pixels(const io::ModelConfig& config, const std::string& image_path);

// The tokenizer.json of a model folder; throws IoError saying the folder has none.
std::shared_ptr<const text::Tokenizer> model_tokenizer(const std::string& model_folder);

// Batch-1 inputs. Needs the folder's tokenizer only when ids are not given. Throws InputError for
// a missing image, malformed ids, or both ids and a question.
VlmInputs prepare_inputs(const VlmImpl& model, const std::string& model_folder, const InputSpec& spec);

// The family's chat prompt around `question` (Gemma 3 or LLaVA-1.5), image tokens expanded.
text::Prompt family_prompt(const io::ModelConfig& config, const text::Tokenizer& tokenizer, const std::string& question);

// The family's captioning prompt for one image: ids and token types, [1, T] each.
VlmInputs caption_prompt(const VlmImpl& model, const text::Tokenizer& tokenizer, const std::string& question,
                         const torch::Tensor& pixels);

// The batch-1 `prompt` followed by `answer` (token ids, typed as text): [1, T + n], same images.
VlmInputs with_answer(const VlmInputs& prompt, const std::vector<int64_t>& answer);

// Batch-1 inputs as `copies` identical rows: ids and types [copies, T], the images repeated.
VlmInputs repeated_inputs(const VlmInputs& one, int64_t copies);

}  // namespace loupe::model
