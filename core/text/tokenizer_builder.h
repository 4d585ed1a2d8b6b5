// Builds a Hugging Face tokenizer.json for a closed corpus (the demo model's captions and
// questions) in the layout of Gemma 3's, so that text::Tokenizer, gemma3_prompt and with_answer
// work on it unchanged:
//   ids 0..3      <pad> <eos> <bos> <unk>  (special)
//   ids 4..8      <start_of_turn> <end_of_turn> <start_of_image> <end_of_image> <image_soft_token>
//   ids 9, 10     "\n", "\n\n"              (added, not special)
//   ids 11..266   <0x00>..<0xFF>            (byte fallback)
//   then "▁" and every other corpus character (UTF-8 code points, in code point order), then one
//   token per learned merge.
// Normalizer Replace " " → "▁", pre-tokenizer Split " " MergedWithPrevious, BPE with byte_fallback
// and fuse_unk, decoder Replace "▁" → " " / ByteFallback / Fuse, TemplateProcessing "<bos> $A".
//
// Merges are learned as BPE does (most frequent adjacent pair first, ties broken by the pair's
// text) until every corpus word is a single token. A word is a space-separated piece of a corpus
// text with "▁" in front, except the text's first word, which the tokenizer sees without one
// (gemma3_prompt and with_answer encode trimmed texts). Learned pairs never span two words, so
// encoding a whole text gives one token per word.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace loupe::text {

// The ids the layout above fixes.
struct DemoTokenIds {
  static constexpr int64_t pad = 0, eos = 1, bos = 2, unk = 3;
  static constexpr int64_t start_of_turn = 4, end_of_turn = 5;
  static constexpr int64_t start_of_image = 6, end_of_image = 7, image_soft_token = 8;
};

// The tokenizer.json document (keys and vocabulary in file order) for `corpus` (texts; the chat template's words "user" and "model"
// are always added). Throws InputError when a text is not valid UTF-8.
nlohmann::ordered_json build_tokenizer_json(const std::vector<std::string>& corpus);

}  // namespace loupe::text
