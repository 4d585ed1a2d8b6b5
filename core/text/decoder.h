// The `decoder` of a tokenizer.json: turns token strings back into text. Supports the steps the
// Gemma 3 and Llama 2 files use (Replace with a String pattern, ByteFallback, Fuse, Strip,
// Sequence); anything else is rejected with a FormatError naming it.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace loupe::text {

class Decoder {
 public:
  // null: the tokens are joined with single spaces, as HF does without a decoder.
  static Decoder from_json(const nlohmann::json& spec);

  // Each step maps the list of token strings to a new list (HF's decode_chain); the result is
  // the concatenation of the final list.
  std::string decode(std::vector<std::string> tokens) const;

 private:
  struct Step {
    enum class Kind { Replace, ByteFallback, Fuse, Strip } kind;
    std::string pattern;  // Replace
    std::string content;  // Replace: the replacement; Strip: the character removed (one UTF-8 char)
    size_t start = 0;     // Strip: at most this many leading `content` characters
    size_t stop = 0;      // Strip: at most this many trailing ones
  };
  void add(const nlohmann::json& spec);

  bool present_ = false;
  std::vector<Step> steps_;
};

}  // namespace loupe::text
