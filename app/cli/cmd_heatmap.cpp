// `loupe heatmap`: one image captioned in one language while a hook is captured, and the heatmap
// the desktop app draws (core/study/heatmap): the grid as safetensors and CSV, and a PNG overlay.
#include <filesystem>
#include <iostream>
#include <sstream>

#include "app/cli/commands.h"
#include "app/cli/model_args.h"
#include "core/error.h"
#include "core/model/inputs.h"
#include "core/sae/sae_io.h"
#include "core/study/caption_heatmap.h"
#include "core/tensor/convert.h"
#include "core/util/atomic_file.h"

namespace loupe::cli {

namespace {

constexpr int kOverlaySide = 448;  // the PNG's side: the model sees a square, so the overlay is one

study::HeatmapInputs heatmap_inputs(const Args& args) {
  study::HeatmapInputs inputs;
  inputs.hook = args.get("hook");
  inputs.quantity = study::parse_heat_quantity(args.get_or("quantity", "norm"));
  switch (inputs.quantity) {
    case study::HeatQuantity::Projection: {
      const std::string reference = args.get("direction");
      inputs.direction = tensor::to_floats(tensor::load_reference(reference));  // [d]
      inputs.direction_name = reference;
      break;
    }
    case study::HeatQuantity::Latent:
      inputs.sae = std::make_shared<const sae::Sae>(sae::load_sae(args.get("sae")));
      inputs.latent = args.get_int("latent", -1);
      if (inputs.latent < 0) throw InputError("--latent N is required with --quantity latent (0-based)");
      break;
    case study::HeatQuantity::Attention:
      inputs.caption_token = int(args.get_int("token", 0));
      break;
    case study::HeatQuantity::Norm:
      break;
  }
  return inputs;
}

std::string grid_csv(const study::Heatmap& map) {
  std::ostringstream csv;
  csv << "row,column,value\n";
  for (int r = 0; r < map.grid_height; ++r)
    for (int c = 0; c < map.grid_width; ++c) csv << r << "," << c << "," << map.patches[size_t(r * map.grid_width + c)] << "\n";
  return csv.str();
}

std::string tokens_csv(const study::Heatmap& map, const text::Tokenizer& tokenizer, const std::vector<int64_t>& tokens) {
  std::ostringstream csv;
  csv << "index,token,value\n";
  for (size_t i = 0; i < map.tokens.size() && i < tokens.size(); ++i) {
    std::string piece = tokenizer.token_text(tokens[i]);
    for (char& ch : piece)
      if (ch == '"' || ch == ',' || ch == '\n') ch = ' ';  // a plain field, no quoting needed
    csv << i << "," << piece << "," << map.tokens[i] << "\n";
  }
  return csv.str();
}

int run_heatmap(const Args& args) {
  const std::string folder = model_folder(args);
  const std::string out = args.get("out");
  const std::string image = args.get("image");
  const Language lang = language_option(args);
  const study::HeatmapInputs inputs = heatmap_inputs(args);
  const float opacity = float(args.get_double("opacity", 0.6));
  if (!(opacity >= 0.0f && opacity <= 1.0f)) throw InputError("--opacity is between 0 and 1");
  auto vlm = model::load_vlm(folder, load_options(args));
  const auto tokenizer = model::model_tokenizer(folder);
  const study::CaptionedHeatmap captioned =
      study::caption_heatmap(*vlm, *tokenizer, image, lang, inputs, args.get_int("max-new-tokens", 24));
  const model::Caption& caption = captioned.caption;
  const study::Heatmap& map = captioned.map;
  if (!map.error.empty()) throw InputError("heatmap: " + map.error);

  const torch::Tensor grid = torch::tensor(map.patches).view({map.grid_height, map.grid_width});  // [gh, gw]
  tensor::NamedTensors tensors = {{"patches", grid}};
  if (!map.tokens.empty()) tensors.push_back({"tokens", torch::tensor(map.tokens)});  // [caption tokens]
  tensor::save(out + ".safetensors", tensors,
               {{"title", map.title}, {"hook", inputs.hook}, {"quantity", study::heat_quantity_word(inputs.quantity)},
                {"image", image}, {"lang", language_code(lang)}, {"caption", caption.text}});
  util::write_file_atomic(out + ".csv", grid_csv(map));
  if (!map.tokens.empty()) util::write_file_atomic(out + "-tokens.csv", tokens_csv(map, *tokenizer, caption.tokens));
  const io::Image shown = io::resize(io::load_image(image), kOverlaySide, kOverlaySide, io::ResampleFilter::Bilinear);
  io::save_png(out + ".png", study::heatmap_overlay(shown, map, opacity));
  std::cout << "heatmap: " << map.title << " (" << map.grid_width << "x" << map.grid_height << ", " << map.low << " to "
            << map.high << ") for \"" << caption.text << "\"\n  wrote " << out << ".safetensors, " << out << ".csv"
            << (map.tokens.empty() ? "" : ", " + out + "-tokens.csv") << ", " << out << ".png\n";
  return 0;
}

}  // namespace

CommandSpec heatmap_command() {
  return {"heatmap",
          "a heatmap over an image's patches and its caption's tokens: norm, SAE latent, projection or attention",
          "loupe heatmap [--model DIR] --image PATH [--lang en|ar] --hook HOOK [--quantity norm|latent|projection|attention] "
          "[--sae DIR --latent N] [--direction FILE:KEY] [--token N] [--opacity X] --out PREFIX",
          options({model_options(),
                   {{"image", "PATH", "the image to caption"},
                    {"lang", "en|ar", "caption language (default en)"},
                    {"hook", "HOOK", "decoder, projector or vision hook; for attention any hook of the layer"},
                    {"quantity", "Q", "norm (default), latent, projection or attention"},
                    {"sae", "DIR", "latent: the SAE folder"},
                    {"latent", "N", "latent: which latent (0-based)"},
                    {"direction", "FILE:KEY", "projection: the direction (normalised before projecting)"},
                    {"token", "N", "attention: from caption token N (0-based, default 0)"},
                    {"max-new-tokens", "N", "longest caption (default 24, as the desktop app)"},
                    {"opacity", "X", "overlay opacity 0..1 (default 0.6)"},
                    {"out", "PREFIX", "writes PREFIX.safetensors (patches [h, w], tokens), PREFIX.csv, PREFIX-tokens.csv, PREFIX.png"}}}),
          run_heatmap};
}

}  // namespace loupe::cli
