// `loupe info`: what a model folder holds.
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "core/model/hook_names.h"
#include "core/model/vlm.h"

namespace loupe::cli {

namespace {

int run_info(const Args& args) {
  const std::string folder = args.get("model");
  auto vlm = model::load_vlm(folder);
  const auto& c = vlm->config;
  nlohmann::json info = {
      {"model", folder},
      {"family", io::family_name(c.family)},
      {"stored_dtype", c.stored_dtype},
      {"parameters", vlm->parameter_count()},
      {"hook_points", model::all_hook_points(c).size()},
      {"text", {{"kind", io::text_kind_name(c.text.kind)}, {"layers", c.text.layers}, {"hidden", c.text.hidden},
                {"intermediate", c.text.intermediate}, {"heads", c.text.heads}, {"kv_heads", c.text.kv_heads},
                {"head_dim", c.text.head_dim}, {"vocab", c.text.vocab}, {"sliding_window", c.text.sliding_window},
                {"context", c.text.max_positions}}},
      {"vision", {{"kind", io::vision_kind_name(c.vision.kind)}, {"layers", c.vision.layers}, {"hidden", c.vision.hidden},
                  {"image_size", c.vision.image_size}, {"patch_size", c.vision.patch_size}}},
      {"image_tokens", c.image_tokens},
      {"image_token_id", c.image_token_id},
      {"eos_ids", c.eos_ids},
  };
  if (args.has("json")) {
    std::cout << info.dump(2) << "\n";
    return 0;
  }
  std::cout << "model        " << folder << "\n"
            << "family       " << info["family"].get<std::string>() << "\n"
            << "parameters   " << vlm->parameter_count() << " (stored as " << c.stored_dtype << ")\n"
            << "decoder      " << io::text_kind_name(c.text.kind) << ": " << c.text.layers << " layers, width " << c.text.hidden << ", "
            << c.text.heads << " heads (" << c.text.kv_heads << " kv) of " << c.text.head_dim << ", vocab " << c.text.vocab
            << "\n"
            << "vision       " << io::vision_kind_name(c.vision.kind) << ": " << c.vision.layers << " layers, width " << c.vision.hidden << ", "
            << c.vision.image_size << "px in " << c.vision.patch_size << "px patches\n"
            << "image tokens " << c.image_tokens << " per image (id " << c.image_token_id << ")\n"
            << "hook points  " << model::all_hook_points(c).size() << "\n";
  return 0;
}

}  // namespace

CommandSpec info_command() {
  return {"info",
          "print a model's family, sizes, dtype, parameter count and hook points",
          "loupe info --model DIR [--json]",
          {{"model", "DIR", "a Hugging Face model folder (config.json + safetensors)"},
           {"json", "", "machine-readable output"}},
          run_info};
}

}  // namespace loupe::cli
