// A Hugging Face tokenizer.json tokenizer (BPE with byte fallback and added tokens) that gives the
// same ids as the `tokenizers` library for the Gemma 3 and Llama 2 files. Encoding runs, as in HF:
//   1. added tokens with normalized=false are cut out of the raw text (added_tokens.h);
//   2. each remaining piece is normalized (normalizer.h), and normalized=true added tokens are cut
//      out of it;
//   3. the pre-tokenizer splits what remains into words (normalizer.h);
//   4. the BPE model turns each word into ids (bpe.h);
//   5. with add_special, the post-processor's template adds its special tokens (e.g. <bos>).
// Components loupe does not implement make load() throw FormatError naming them, so a tokenizer
// is never used with a stage silently missing. A loaded Tokenizer is immutable and safe to share
// between threads.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/text/added_tokens.h"
#include "core/text/bpe.h"
#include "core/text/decoder.h"
#include "core/text/normalizer.h"

namespace loupe::text {

// SentencePiece's word-start mark ▁ (U+2581), how a vocabulary spells a leading space.
inline constexpr const char* kSentencePieceSpace = "\xE2\x96\x81";

class Tokenizer {
 public:
  // Throws IoError when the file cannot be read, FormatError (naming the file) when it is not
  // JSON, has no `model`, has a model other than BPE, or uses an unsupported component.
  static Tokenizer load(const std::string& tokenizer_json_path);

  // Throws InputError when `text` is not valid UTF-8.
  std::vector<int64_t> encode(const std::string& text, bool add_special = false) const;
  // As HF: ids outside the vocabulary are skipped; skip_special drops special added tokens.
  std::string decode(const std::vector<int64_t>& ids, bool skip_special = false) const;

  // The raw vocabulary string of `id` (e.g. "▁man", "<0x0A>", "<bos>"); throws InputError when no
  // token has that id.
  std::string token_text(int64_t id) const;
  // Added tokens first, then the model vocabulary, as HF's token_to_id.
  std::optional<int64_t> find_token(const std::string& token) const;
  int64_t token_id(const std::string& token) const;  // throws InputError when absent

  // One more than the largest token id (added tokens included): the rows an embedding needs.
  int64_t vocab_size() const { return vocab_size_; }
  bool is_special(int64_t id) const;
  // The special token the post-processor puts first (Gemma 3: <bos> = 2, Llama 2: <s> = 1).
  std::optional<int64_t> bos_id() const;
  const std::string& source() const { return source_; }

 private:
  void read_post_processor(const nlohmann::json& spec);
  std::optional<std::string_view> find_text(int64_t id) const;

  std::string source_;
  Normalizer normalizer_;
  PreTokenizer pre_tokenizer_;
  BpeModel model_;
  AddedVocabulary added_;
  Decoder decoder_;
  int64_t vocab_size_ = 0;
  std::vector<int64_t> prefix_;  // ids the template puts before the text
  std::vector<int64_t> suffix_;  // ids the template puts after it
};

}  // namespace loupe::text
