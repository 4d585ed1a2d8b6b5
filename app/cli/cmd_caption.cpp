// `loupe caption`: caption images in English or Arabic with the family's captioning prompt.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/model_args.h"
#include "core/error.h"
#include "core/model/caption.h"
#include "core/model/inputs.h"
#include "core/study/traced_caption.h"
#include "core/text/prompt.h"

namespace loupe::cli {

namespace {

nlohmann::json chips_json(const std::vector<study::TokenChip>& chips) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& chip : chips) {
    nlohmann::json top = nlohmann::json::array();
    for (const auto& choice : chip.top) top.push_back({{"text", choice.text}, {"probability", choice.probability}});
    out.push_back({{"id", chip.id}, {"text", chip.text}, {"logit", chip.logit}, {"probability", chip.probability}, {"top", top}});
  }
  return out;
}

// One line per generated token: its text, probability and the five likeliest tokens at that step.
void print_chips(const std::vector<study::TokenChip>& chips) {
  for (const auto& chip : chips) {
    std::printf("  %-16s p=%.4f  logit=%8.4f  top:", ("'" + chip.text + "'").c_str(), chip.probability, chip.logit);
    for (const auto& choice : chip.top) std::printf(" '%s' %.4f", choice.text.c_str(), choice.probability);
    std::printf("\n");
  }
}

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
  nlohmann::json out = nlohmann::json::array();
  if (args.has("choices")) {  // one image at a time, as the desktop app's caption chips
    for (size_t i = 0; i < images.size(); ++i) {
      const auto traced =
          study::trace_caption(*vlm, *tokenizer, pixels[i], options.lang, options.max_new_tokens, session);
      std::vector<int64_t> ids;
      for (const auto& chip : traced.caption.tokens) ids.push_back(chip.id);
      if (!args.has("json")) {
        std::cout << (images.size() > 1 ? images[i] + "\t" : "") << traced.caption.text << "\n";
        print_chips(traced.caption.tokens);
      }
      out.push_back({{"image", images[i]}, {"lang", language_code(options.lang)}, {"text", traced.caption.text},
                     {"tokens", ids}, {"choices", chips_json(traced.caption.tokens)}});
    }
  } else {
    const auto captions = model::caption_images(*vlm, *tokenizer, torch::cat(pixels), options, session);
    for (size_t i = 0; i < images.size(); ++i) {
      if (!args.has("json")) std::cout << (images.size() > 1 ? images[i] + "\t" : "") << captions[i].text << "\n";
      out.push_back({{"image", images[i]}, {"lang", language_code(options.lang)}, {"text", captions[i].text}, {"tokens", captions[i].tokens}});
    }
  }
  if (args.has("json")) std::cout << (images.size() == 1 ? out[0] : out).dump() << "\n";
  return 0;
}

}  // namespace

CommandSpec caption_command() {
  return {"caption",
          "caption images in English or Arabic (\"Describe this image in one sentence.\")",
          "loupe caption [--model DIR] --image PATH [--image PATH]... [--lang en|ar] [--max-new-tokens N] "
          "[--steer HOOK=FILE:KEY@ALPHA[@POSITIONS]]... [--choices] [--json]",
          options({model_options(),
                   {{"image", "PATH", "an image to caption", true},
                    {"lang", "en|ar", "caption language (default en)"},
                    {"max-new-tokens", "N", "longest caption in tokens (default 32)"},
                    steer_option(),
                    {"choices", "", "also print each token's probability, logit and the 5 likeliest tokens "
                                    "(the desktop app's caption chips; one image at a time)"},
                    {"json", "", "print {image, lang, text, tokens[, choices]}"}}}),
          run_caption};
}

}  // namespace loupe::cli
