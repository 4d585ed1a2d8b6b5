// The text-to-text stages of a tokenizer.json, limited to what the Gemma 3 and Llama 2 files use:
// normalizers Replace (String pattern), Prepend and Sequence; the pre-tokenizer Split on a String
// with behavior MergedWithPrevious. Anything else is rejected with a FormatError naming it.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/json_fields.h"

namespace loupe::text {

// `pattern: {"String": "..."}`, the only pattern form loupe reads (a Regex pattern is rejected),
// in a Replace normalizer or decoder or a Split pre-tokenizer.
std::string string_pattern(const util::JsonFields& spec);

// Replaces every occurrence of `pattern` (non-empty), scanning left to right without overlaps:
// HF's Replace with a String pattern, in the normalizer and in the decoder alike.
void replace_all(std::string& text, const std::string& pattern, const std::string& content);

class Normalizer {
 public:
  // From the `normalizer` value of tokenizer.json (null: leaves text as it is).
  static Normalizer from_json(const nlohmann::json& spec);

  // Steps in order. As in HF, Prepend adds nothing to an empty string.
  std::string apply(std::string_view text) const;

 private:
  struct Step {
    enum class Kind { Replace, Prepend } kind;
    std::string pattern;  // Replace: the literal text replaced
    std::string content;  // Replace: the replacement; Prepend: the prefix
  };
  void add(const nlohmann::json& spec);

  std::vector<Step> steps_;
};

class PreTokenizer {
 public:
  // From the `pre_tokenizer` value of tokenizer.json (null: the whole text is one word).
  static PreTokenizer from_json(const nlohmann::json& spec);

  // The words of `text` (views into it), never empty: each occurrence of the delimiter ends the
  // word before it ("a b" -> "a ", "b"); a delimiter right after another one (or at the start)
  // stands alone.
  std::vector<std::string_view> split(std::string_view text) const;

 private:
  std::string delimiter_;  // empty: no splitting
};

}  // namespace loupe::text
