// `loupe caption`: caption images in English or Arabic with the family's captioning prompt.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/model_args.h"
#include "core/error.h"
#include "core/jobs/progress_printer.h"
#include "core/study/caption_study.h"

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
  study::CaptionRequest request;
  request.images = args.all("image");
  if (request.images.empty()) throw InputError("--image is required; see `loupe caption --help`");
  request.lang = language_option(args);
  request.max_new_tokens = args.get_int("max-new-tokens", 32);
  request.steers = steers_option(args, vlm->config);
  request.choices = args.has("choices");
  request.adapter = adapter_option(args, *vlm, folder);
  const auto captions = jobs::run_in_foreground("caption", [&](jobs::JobContext& job) {
    return study::caption(*vlm, *tokenizer, request, job);
  }, std::cerr).as<std::vector<study::CaptionedImage>>();

  const bool several = captions.size() > 1;
  nlohmann::json out = nlohmann::json::array();
  for (const study::CaptionedImage& captioned : captions) {
    if (!args.has("json")) {
      std::cout << (several ? captioned.image + "\t" : "") << captioned.text << "\n";
      if (request.choices) print_chips(captioned.choices);
    }
    nlohmann::json entry = {{"image", captioned.image}, {"lang", language_code(request.lang)},
                            {"text", captioned.text}, {"tokens", captioned.tokens}};
    if (request.choices) entry["choices"] = chips_json(captioned.choices);
    out.push_back(std::move(entry));
  }
  if (args.has("json")) std::cout << (several ? out : out[0]).dump() << "\n";
  return 0;
}

}  // namespace

CommandSpec caption_command() {
  return {"caption",
          "caption images in English or Arabic (\"Describe this image in one sentence.\")",
          "loupe caption [--model DIR] --image PATH [--image PATH]... [--lang en|ar] [--max-new-tokens N] "
          "[--steer HOOK=FILE:KEY@ALPHA[@POSITIONS]]... [--adapter DIR] [--choices] [--json]",
          options({model_options(),
                   {{"image", "PATH", "an image to caption", true},
                    {"lang", "en|ar", "caption language (default en)"},
                    {"max-new-tokens", "N", "longest caption in tokens (default 32)"},
                    steer_option(),
                    adapter_help(),
                    {"choices", "", "also print each token's probability, logit and the 5 likeliest tokens "
                                    "(the desktop app's caption chips; one image at a time)"},
                    {"json", "", "print {image, lang, text, tokens[, choices]}"}}}),
          run_caption};
}

}  // namespace loupe::cli
