// The real Gemma 3 and Llama 2 tokenizer.json files against the ids that Hugging Face `tokenizers`
// produced for the same strings (tests/fixtures/tokenizers/tokenizer_cases.json).
#include <catch2/catch.hpp>

#include "base/tokenizer_files.h"
#include "core/error.h"

using loupe::test::real_tokenizer;
using loupe::test::tokenizer_cases;

TEST_CASE("every fixture string encodes and decodes exactly as Hugging Face tokenizers", "[tokenizer]") {
  size_t checked = 0;
  for (const std::string family : {"gemma3", "llama2"}) {
    const auto& tokenizer = real_tokenizer(family);
    for (const auto& entry : tokenizer_cases()["families"][family]) {
      const std::string text = entry["text"];
      const auto ids = entry["ids"].get<std::vector<int64_t>>();
      INFO(family << ": " << nlohmann::json(text).dump());
      CHECK(tokenizer.encode(text) == ids);
      CHECK(tokenizer.encode(text, true) == entry["ids_with_special"].get<std::vector<int64_t>>());
      CHECK(tokenizer.decode(ids) == entry["decoded"].get<std::string>());
      CHECK(tokenizer.decode(entry["ids_with_special"].get<std::vector<int64_t>>(), true) ==
            tokenizer.decode(ids, true));
      ++checked;
    }
  }
  CHECK(checked == 42);
}

TEST_CASE("Gemma 3 vocabulary lookups", "[tokenizer]") {
  const auto& tokenizer = real_tokenizer("gemma3");
  CHECK(tokenizer.bos_id() == 2);
  CHECK(tokenizer.vocab_size() == 262145);  // 262144 model tokens + <image_soft_token>
  CHECK(tokenizer.token_id("<image_soft_token>") == 262144);
  CHECK(tokenizer.token_id("<end_of_turn>") == 106);
  CHECK(tokenizer.token_text(236746) == "a");
  CHECK(tokenizer.token_text(107) == "\n");
  CHECK(tokenizer.is_special(2));
  CHECK(tokenizer.is_special(262144));
  CHECK_FALSE(tokenizer.is_special(107));  // "\n" is an added token but not a special one
  CHECK_FALSE(tokenizer.is_special(236746));
  CHECK_FALSE(tokenizer.find_token("no such token"));
  CHECK_THROWS_AS(tokenizer.token_id("no such token"), loupe::InputError);
  CHECK_THROWS_AS(tokenizer.token_text(262145), loupe::InputError);
  CHECK_THROWS_AS(tokenizer.token_text(-1), loupe::InputError);
}

TEST_CASE("Llama 2 vocabulary lookups", "[tokenizer]") {
  const auto& tokenizer = real_tokenizer("llama2");
  CHECK(tokenizer.bos_id() == 1);
  CHECK(tokenizer.vocab_size() == 32000);
  CHECK(tokenizer.token_id("</s>") == 2);
  CHECK(tokenizer.token_text(13) == "<0x0A>");
  CHECK(tokenizer.is_special(1));
  CHECK_FALSE(tokenizer.is_special(13));
}

TEST_CASE("decoding byte tokens and special tokens", "[tokenizer]") {
  const auto& tokenizer = real_tokenizer("gemma3");
  const int64_t e2 = tokenizer.token_id("<0xE2>"), x96 = tokenizer.token_id("<0x96>"),
                x81 = tokenizer.token_id("<0x81>");
  // Replace runs before ByteFallback, so a "▁" spelled in bytes stays "▁".
  CHECK(tokenizer.decode({e2, x96, x81}) == "\xE2\x96\x81");
  // Bytes that are not valid UTF-8 give one U+FFFD each.
  CHECK(tokenizer.decode({e2, x96}) == "\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(tokenizer.decode({2, 818, 9092}) == "<bos>The doctor");
  CHECK(tokenizer.decode({2, 818, 9092}, true) == "The doctor");
  CHECK(tokenizer.decode({818, 999999, 9092}) == "The doctor");  // unknown ids are skipped, as in HF
}

TEST_CASE("text that is not UTF-8 is refused", "[tokenizer]") {
  CHECK_THROWS_AS(real_tokenizer("llama2").encode("caf\xE9"), loupe::InputError);
}
