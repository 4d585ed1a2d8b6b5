// `loupe caption`: caption images in English or Arabic with the family's captioning prompt.
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/model_args.h"
#include "core/error.h"
#include "core/model/caption.h"
#include "core/model/inputs.h"
#include "core/text/prompt.h"

namespace loupe::cli {

namespace {

int run_caption(const Args& args) {
  const std::string folder = model_folder(args);
  auto vlm = model::load_vlm(folder, load_options(args));
  const auto tokenizer = model::model_tokenizer(folder);
  const std::vector<std::string> images = args.all("image");
  if (images.empty()) throw InputError("--image is required; see `loupe caption --help`");
  std::vector<torch::Tensor> pixels;
  for (const auto& image : images) pixels.push_back(model::image_pixels(vlm->config, image));

  model::CaptionOptions options;
  options.lang = language_option(args);
  options.max_new_tokens = args.get_int("max-new-tokens", 32);
  model::Session session;
  if (args.has("steer")) {  // the captioning prompt's token types place the steers
    const model::VlmInputs prompt =
        model::caption_prompt(*vlm, *tokenizer, text::caption_question(options.lang), pixels.front());
    add_steering(args, *vlm, prompt.token_type_ids, options.max_new_tokens, session.hooks);
  }
  const auto captions = model::caption_images(*vlm, *tokenizer, torch::cat(pixels), options, session);

  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < images.size(); ++i) {
    if (!args.has("json")) std::cout << (images.size() > 1 ? images[i] + "\t" : "") << captions[i].text << "\n";
    out.push_back({{"image", images[i]}, {"lang", language_code(options.lang)}, {"text", captions[i].text}, {"tokens", captions[i].tokens}});
  }
  if (args.has("json")) std::cout << (images.size() == 1 ? out[0] : out).dump() << "\n";
  return 0;
}

}  // namespace

CommandSpec caption_command() {
  return {"caption",
          "caption images in English or Arabic (\"Describe this image in one sentence.\")",
          "loupe caption [--model DIR] --image PATH [--image PATH]... [--lang en|ar] [--max-new-tokens N] "
          "[--steer HOOK=FILE:KEY@ALPHA[@POSITIONS]]... [--json]",
          options({model_options(),
                   {{"image", "PATH", "an image to caption", true},
                    {"lang", "en|ar", "caption language (default en)"},
                    {"max-new-tokens", "N", "longest caption in tokens (default 32)"},
                    steer_option(),
                    {"json", "", "print {image, lang, text, tokens}"}}}),
          run_caption};
}

}  // namespace loupe::cli
