// Fuzzes tokenizer.json loading (the streaming vocab/merges reader, added tokens, normalizer,
// pre-tokenizer, decoder and post-processor), then encodes and decodes fixed texts with what
// loaded, and decodes ids around the vocabulary's edges.
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/text/tokenizer.h"
#include "fuzz_scratch.h"

namespace {

const char* const kTexts[] = {
    "a woman is cooking in the kitchen", "\xd8\xb1\xd8\xac\xd9\x84 \xd9\x8a\xd9\x82\xd8\xb1\xd8\xa3",  // "رجل يقرأ"
    "<bos><start_of_turn>user\n<start_of_image>  two  spaces\n\n", "\xf0\x9f\x98\x80 \xe2\x96\x81 \t\r\n", "",
};

void exercise(const loupe::text::Tokenizer& tokenizer) {
  for (const char* text : kTexts)
    for (bool special : {false, true}) {
      const std::vector<int64_t> ids = tokenizer.encode(text, special);
      tokenizer.decode(ids, special);
    }
  const int64_t size = tokenizer.vocab_size();
  tokenizer.decode({-1, 0, 1, size - 1, size, size + 1, INT64_MAX, INT64_MIN}, false);
  for (int64_t id = 0; id < std::min<int64_t>(size, 64); ++id) tokenizer.is_special(id);
  tokenizer.bos_id();
  tokenizer.find_token("<bos>");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = loupe::fuzz::Scratch::write(loupe::fuzz::scratch().root() / "tokenizer.json", data, size);
  try {
    exercise(loupe::text::Tokenizer::load(path));
  } catch (const loupe::Error&) {
  }
  return 0;
}
