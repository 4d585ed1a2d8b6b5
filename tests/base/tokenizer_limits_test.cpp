// tokenizer.json files that must be refused with a clear FormatError instead of crashing, wrapping
// an id or allocating gigabytes (issue 21): ids far outside the vocabulary, ids that are not
// integers, and JSON nested past the reader's depth limit.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "core/text/tokenizer.h"
#include "support/temp_dir.h"

using Catch::Matchers::Contains;
using loupe::text::Tokenizer;
using nlohmann::json;

namespace {

// Vocabulary a b ab (ids 0..2), merge a+b, and the added token <s> = 3: 4 entries, so ids up to 15.
std::string tokenizer_text(const std::string& vocab_id_of_b, const std::string& added_id) {
  return R"({"added_tokens": [{"id": )" + added_id + R"(, "content": "<s>", "special": true}],
    "model": {"type": "BPE", "vocab": {"a": 0, "b": )" + vocab_id_of_b + R"(, "ab": 2}, "merges": ["a b"]}})";
}

std::string load_error(const std::string& text) {
  const loupe::test::TempDir folder("loupe-tokenizer-limits");
  const std::string path = folder.write("tokenizer.json", text);
  const std::string message = loupe::test::message_of<loupe::FormatError>([&] { Tokenizer::load(path); });
  CHECK_THAT(message, Contains(path));
  return message;
}

}  // namespace

TEST_CASE("tokenizer ids within 4 per entry load; ids beyond are refused naming the token and the bound",
          "[tokenizer][limits]") {
  const loupe::test::TempDir folder("loupe-tokenizer-limits");
  const Tokenizer dense = Tokenizer::load(folder.write("dense.json", tokenizer_text("1", "3")));
  CHECK(dense.encode("ab") == std::vector<int64_t>{2});
  CHECK(dense.vocab_size() == 4);
  const Tokenizer sparse = Tokenizer::load(folder.write("sparse.json", tokenizer_text("15", "14")));
  CHECK(sparse.token_text(15) == "b");
  CHECK(sparse.vocab_size() == 16);

  // 2^64 - 1 wrapped to -1 and wrote index_of_id_[-1] (a double free); 2^31 - 1 allocated 8.5 GB.
  const std::string huge = load_error(tokenizer_text("18446744073709551615", "3"));
  CHECK_THAT(huge, Contains("model.vocab \"b\"") && Contains("from 0 to 15") && Contains("18446744073709551615") &&
                       Contains("4 entries"));
  CHECK_THAT(load_error(tokenizer_text("2147483647", "3")), Contains("model.vocab \"b\"") && Contains("2147483647"));
  CHECK_THAT(load_error(tokenizer_text("16", "3")), Contains("from 0 to 15, not 16") || Contains("not 16"));
}

TEST_CASE("added-token ids must be integers within the bound, not wrapped or truncated", "[tokenizer][limits]") {
  CHECK_THAT(load_error(tokenizer_text("1", "18446744073709551615")),
             Contains("added token \"<s>\"") && Contains("`id`") && Contains("18446744073709551615"));
  CHECK_THAT(load_error(tokenizer_text("1", "5000000000")), Contains("`id`") && Contains("5000000000"));
  CHECK_THAT(load_error(tokenizer_text("1", "5e9")), Contains("`id` must be an integer"));
  CHECK_THAT(load_error(tokenizer_text("1", "10.9")), Contains("`id` must be an integer") && Contains("10.9"));
  CHECK_THAT(load_error(tokenizer_text("1", "-1")), Contains("`id`") && Contains("-1"));
}

TEST_CASE("vocabulary ids that are not non-negative integers are refused naming the token", "[tokenizer][limits]") {
  CHECK_THAT(load_error(tokenizer_text("10.9", "3")),
             Contains("model.vocab \"b\"") && Contains("non-negative integer") && Contains("10.9"));
  CHECK_THAT(load_error(tokenizer_text("-1", "3")), Contains("model.vocab \"b\"") && Contains("-1"));
  CHECK_THAT(load_error(tokenizer_text("\"1\"", "3")), Contains("model.vocab \"b\"") && Contains("\"1\""));
}

TEST_CASE("a tokenizer.json nested a million levels deep is a FormatError, not a stack overflow",
          "[tokenizer][limits]") {
  const std::string deep = std::string(1000000, '[') + std::string(1000000, ']');
  CHECK_THAT(load_error(R"({"model": {"type": "BPE", "vocab": {}}, "normalizer": )" + deep + "}"),
             Contains("nested deeper than 64"));
  CHECK_THAT(load_error(deep), Contains("nested deeper than 64"));
}

TEST_CASE("a tokenizer path that is a folder is an IoError naming it, not an allocation failure", "[tokenizer][limits]") {
  const loupe::test::TempDir folder("loupe-tokenizer-folder");
  // Read as a stream, a folder gave "internal error: basic_string::_M_create" (exit 3).
  const std::string message = loupe::test::message_of<loupe::IoError>([&] { Tokenizer::load(folder.path.string()); });
  CHECK_THAT(message, Contains(folder.path.string()) && Contains("it is a folder, not a file"));
}
