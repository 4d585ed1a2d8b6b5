// `loupe`: every GUI action, headless. Dispatches to the command table in commands.cpp.
#include <algorithm>
#include <iostream>

#include "app/cli/commands.h"
#include "core/error.h"
#include "core/tensor/threads.h"

using loupe::cli::CommandSpec;

namespace {
void print_overview(std::ostream& out) {
  out << "loupe: mechanistic interpretability of gender bias in image-captioning VLMs\n\n"
         "usage: loupe COMMAND [options]   (loupe COMMAND --help for its options)\n\ncommands:\n";
  for (const auto& spec : loupe::cli::all_commands()) {
    out << "  " << spec.name << std::string(spec.name.size() < 16 ? 16 - spec.name.size() : 1, ' ')
        << spec.summary << "\n";
  }
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    print_overview(argc < 2 ? std::cerr : std::cout);
    return argc < 2 ? 2 : 0;
  }
  for (const CommandSpec& spec : loupe::cli::all_commands()) {
    // A command's name is one word or several ("analyze features"): the first words of argv.
    const std::vector<std::string> name_words = loupe::cli::split_list(spec.name, ' ');
    if (int(name_words.size()) >= argc || !std::equal(name_words.begin(), name_words.end(), argv + 1)) continue;
    const std::string& name = spec.name;
    std::vector<std::string> words(argv + 1 + name_words.size(), argv + argc);
    for (const auto& word : words) {
      if (word == "--help" || word == "-h") {
        std::cout << loupe::cli::help_text(spec);
        return 0;
      }
    }
    try {
      loupe::use_cpu_threads();  // every usable CPU, or LOUPE_THREADS
      return spec.run(loupe::cli::Args(spec, words));
    } catch (const loupe::Error& error) {
      std::cerr << "loupe " << name << ": " << error.what() << "\n";
      return 1;
    } catch (const std::exception& error) {
      std::cerr << "loupe " << name << ": internal error: " << error.what() << "\n";
      return 3;
    }
  }
  // The first word of a multi-word command ("loupe analyze") names what follows it.
  std::string following;
  for (const CommandSpec& spec : loupe::cli::all_commands())
    if (spec.name.rfind(std::string(argv[1]) + " ", 0) == 0) following += "\n  loupe " + spec.name;
  if (!following.empty()) {
    std::cerr << "loupe " << argv[1] << ": name what to run:" << following << "\n";
    return 2;
  }
  std::cerr << "loupe: unknown command '" << argv[1] << "'\n\n";
  print_overview(std::cerr);
  return 2;
}
