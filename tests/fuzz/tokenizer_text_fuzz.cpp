// Fuzzes encoding and decoding with a fixed tokenizer that uses every component loupe supports
// (Sequence of Prepend and Replace normalizers, Split pre-tokenizer, BPE with byte fallback and
// fused unks, added tokens raw and normalized with lstrip/rstrip, a decoder Sequence with Strip):
// the input as text, then its bytes as token ids. Encoding must give ids that decode, and decoding
// any ids must not fail.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/text/tokenizer.h"
#include "core/util/utf8.h"
#include "fuzz_scratch.h"

namespace {

constexpr const char* kTokenizer = R"({
  "added_tokens": [
    {"id": 0, "content": "<unk>", "special": true},
    {"id": 1, "content": "<s>", "special": true},
    {"id": 2, "content": "<mask>", "special": true, "lstrip": true, "rstrip": true},
    {"id": 3, "content": "\n\n", "special": false, "normalized": false},
    {"id": 4, "content": "ab", "special": false, "normalized": true}],
  "normalizer": {"type": "Sequence", "normalizers": [
    {"type": "Prepend", "prepend": "\u2581"},
    {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]},
  "pre_tokenizer": {"type": "Split", "pattern": {"String": "\u2581"}, "behavior": "MergedWithPrevious"},
  "post_processor": {"type": "TemplateProcessing",
    "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
    "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
  "decoder": {"type": "Sequence", "decoders": [
    {"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
    {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
  "model": {"type": "BPE", "unk_token": "<unk>", "fuse_unk": true, "byte_fallback": true,
    "vocab": {"<unk>": 0, "<s>": 1, "<mask>": 2, "\n\n": 3, "ab": 4, "<0x0A>": 5, "<0xC3>": 6, "<0xA9>": 7,
              "<0xE2>": 8, "<0x96>": 9, "<0x81>": 10, "a": 11, "b": 12, "c": 13, "\u2581": 14, "\u2581a": 15,
              "abc": 16, "\u2581ab": 17, "\u00e9": 18},
    "merges": ["a b", "ab c", "\u2581 a", "\u2581a b"]}})";

const loupe::text::Tokenizer& tokenizer() {
  static const loupe::text::Tokenizer loaded = [] {
    const std::string text = kTokenizer;
    return loupe::text::Tokenizer::load(loupe::fuzz::Scratch::write(
        loupe::fuzz::scratch().root() / "fixed-tokenizer.json", reinterpret_cast<const uint8_t*>(text.data()),
        text.size()));
  }();
  return loaded;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const loupe::text::Tokenizer& t = tokenizer();
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (loupe::util::is_valid_utf8(text)) {
    for (bool special : {false, true}) {
      const std::vector<int64_t> ids = t.encode(text, special);
      for (int64_t id : ids)
        if (id < 0 || id >= t.vocab_size()) std::abort();  // encoding gave an id the tokenizer lacks
      t.decode(ids, special);
    }
  } else {
    try {
      t.encode(text);
      std::abort();  // invalid UTF-8 must be refused
    } catch (const loupe::InputError&) {
    }
  }
  std::vector<int64_t> ids;
  for (size_t i = 0; i < size; ++i) ids.push_back(int64_t(int8_t(data[i])));
  t.decode(ids, false);
  t.decode(ids, true);
  return 0;
}
