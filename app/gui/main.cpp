// loupe-gui: the desktop app. Argument parsing only; everything else lives in ui/.
#include <cstdio>
#include <cstring>
#include <string>

#include "ui/app/app.h"

namespace {

constexpr const char* kUsage =
    "usage: loupe-gui [--model DIR] [--workspace DIR] [--images DIR] [--script FILE] [--size WxH]\n"
    "  --model DIR      a Hugging Face model folder (default: the bundled demo model)\n"
    "  --workspace DIR  open a workspace (its model and dataset)\n"
    "  --images DIR     a dataset folder (image_caption.csv) or a folder of images (default: the demo images)\n"
    "  --script FILE    run the actions in FILE, then exit (docs/gui.md); exit code 1 when one fails\n"
    "  --size WxH       window size in pixels (default 1600x1000)\n";

}  // namespace

int main(int argc, char** argv) {
  loupe::ui::AppOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "loupe-gui: %s needs a value\n%s", arg.c_str(), kUsage);
      return 2;
    }
    const std::string value = argv[++i];
    if (arg == "--model") {
      options.model = value;
    } else if (arg == "--workspace") {
      options.workspace = value;
    } else if (arg == "--images") {
      options.images = value;
    } else if (arg == "--script") {
      options.script = value;
    } else if (arg == "--size") {
      if (std::sscanf(value.c_str(), "%dx%d", &options.width, &options.height) != 2 || options.width < 320 || options.height < 240) {
        std::fprintf(stderr, "loupe-gui: --size wants WxH of at least 320x240, e.g. 1600x1000 (got %s)\n", value.c_str());
        return 2;
      }
    } else {
      std::fprintf(stderr, "loupe-gui: unknown option %s\n%s", arg.c_str(), kUsage);
      return 2;
    }
  }
  try {
    loupe::ui::App app(options);
    return app.run();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "loupe-gui: %s\n", error.what());
    return 1;
  }
}
