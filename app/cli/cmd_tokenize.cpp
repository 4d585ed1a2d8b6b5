// `loupe tokenize`: token ids of a text (or of each text in a JSON file) under a tokenizer.json.
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/text_list.h"
#include "core/error.h"
#include "core/text/tokenizer.h"

namespace loupe::cli {

namespace {

int run_tokenize(const Args& args) {
  if (args.has("text") == args.has("texts")) throw InputError("give exactly one of --text and --texts");
  const auto tokenizer = text::Tokenizer::load(args.get("tokenizer"));
  const bool add_special = args.has("add-special");

  if (args.has("texts")) {
    nlohmann::json all = nlohmann::json::array();
    for (const std::string& text : read_text_list(args.get("texts")))
      all.push_back(tokenizer.encode(text, add_special));
    std::cout << all.dump() << "\n";
    return 0;
  }
  const std::vector<int64_t> ids = tokenizer.encode(args.get("text"), add_special);
  if (args.has("json")) {
    std::cout << nlohmann::json(ids).dump() << "\n";
    return 0;
  }
  for (size_t i = 0; i < ids.size(); ++i) std::cout << (i ? " " : "") << ids[i];
  std::cout << "\n";
  return 0;
}

}  // namespace

CommandSpec tokenize_command() {
  return {"tokenize",
          "print the token ids of a text under a Hugging Face tokenizer.json",
          "loupe tokenize --tokenizer FILE.json (--text TEXT | --texts FILE.json) [--add-special] [--json]",
          {{"tokenizer", "FILE.json", "a Hugging Face tokenizer.json (BPE: Gemma 3, Llama 2 / LLaVA)"},
           {"text", "TEXT", "the text to tokenize; prints its ids separated by spaces"},
           {"texts", "FILE.json", "a JSON array of texts; prints a JSON array of id arrays"},
           {"add-special", "", "add the post-processor's special tokens (e.g. <bos>)"},
           {"json", "", "print the ids of --text as a JSON array"}},
          run_tokenize};
}

}  // namespace loupe::cli
