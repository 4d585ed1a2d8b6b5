// Small hand-written tokenizer.json files: the HF rules that the real Gemma 3 / Llama 2 files do
// not exercise on their own (unk fusing, added-token options, the Split pre-tokenizer, merges in
// both notations), and the errors for files loupe cannot read.
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/text/tokenizer.h"

using loupe::text::Tokenizer;
using nlohmann::json;

namespace {

json added(int id, const std::string& content, bool special = false) {
  return {{"id", id},        {"content", content},  {"single_word", false}, {"lstrip", false},
          {"rstrip", false}, {"normalized", false}, {"special", special}};
}

// Vocabulary a b c ▁ with merges a+b, ab+c, ▁+a; <unk> = 0, <s> = 1 (added in front by the template).
json small_tokenizer() {
  return {{"version", "1.0"},
          {"truncation", nullptr},
          {"padding", nullptr},
          {"added_tokens", {added(0, "<unk>", true), added(1, "<s>", true)}},
          {"normalizer", {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "▁"}}},
          {"pre_tokenizer", nullptr},
          {"post_processor",
           {{"type", "TemplateProcessing"},
            {"single",
             {{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}},
              {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
            {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", {1}}, {"tokens", {"<s>"}}}}}}}},
          {"decoder",
           {{"type", "Sequence"},
            {"decoders",
             {{{"type", "Replace"}, {"pattern", {{"String", "▁"}}}, {"content", " "}},
              {{"type", "ByteFallback"}},
              {{"type", "Fuse"}},
              {{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}}}}},
          {"model",
           {{"type", "BPE"},
            {"dropout", nullptr},
            {"unk_token", "<unk>"},
            {"continuing_subword_prefix", nullptr},
            {"end_of_word_suffix", nullptr},
            {"fuse_unk", true},
            {"byte_fallback", false},
            {"vocab",
             {{"<unk>", 0},
              {"<s>", 1},
              {"a", 2},
              {"b", 3},
              {"c", 4},
              {"▁", 5},
              {"ab", 6},
              {"abc", 7},
              {"▁a", 8}}},
            {"merges", {"a b", "ab c", "▁ a"}}}}};
}

std::string write_json_file(const std::string& text) {
  static std::atomic<int> counter{0};
  const auto path =
      std::filesystem::temp_directory_path() /
      ("loupe_tokenizer_rules_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + ".json");
  std::ofstream(path) << text;
  return path.string();
}

Tokenizer load(const json& spec) { return Tokenizer::load(write_json_file(spec.dump())); }

// The FormatError message for a tokenizer.json that must be refused.
std::string load_error(const json& spec) {
  try {
    load(spec);
  } catch (const loupe::FormatError& error) {
    return error.what();
  }
  FAIL("the tokenizer loaded but should have been refused");
  return "";
}

using Catch::Matchers::Contains;
using Ids = std::vector<int64_t>;

}  // namespace

TEST_CASE("BPE merges the lowest-ranked pair first, leftmost among equals", "[tokenizer]") {
  const Tokenizer tokenizer = load(small_tokenizer());
  CHECK(tokenizer.encode("abc ab") == Ids{7, 5, 6});  // a+b twice, then ab+c; ▁+ab has no merge
  CHECK(tokenizer.encode(" a") == Ids{8});
  CHECK(tokenizer.encode("ca b") == Ids{4, 2, 5, 3});
  CHECK(tokenizer.encode("a", true) == Ids{1, 2});
  CHECK(tokenizer.encode("", true) == Ids{1});
  CHECK(tokenizer.decode({1, 8, 5, 6}) == "<s> a ab");
  CHECK(tokenizer.decode({8, 5, 6}) == "a ab");  // Strip removes one leading space
  CHECK(tokenizer.decode({1, 2}, true) == "a");
}

TEST_CASE("merges written as [a, b] pairs mean the same as \"a b\" strings", "[tokenizer]") {
  json spec = small_tokenizer();
  spec["model"]["merges"] =
      json::array({json::array({"a", "b"}), json::array({"ab", "c"}), json::array({"▁", "a"})});
  CHECK(load(spec).encode("abc ab") == Ids{7, 5, 6});
}

TEST_CASE("unknown characters become <unk>, fused into one when fuse_unk is on", "[tokenizer]") {
  json spec = small_tokenizer();
  CHECK(load(spec).encode("azzb") == Ids{2, 0, 3});
  spec["model"]["fuse_unk"] = false;
  CHECK(load(spec).encode("azzb") == Ids{2, 0, 0, 3});
}

TEST_CASE("byte_fallback spells unknown characters in <0xNN> tokens", "[tokenizer]") {
  json spec = small_tokenizer();
  spec["model"]["byte_fallback"] = true;
  spec["model"]["vocab"]["<0x7A>"] = 9;  // z
  spec["model"]["vocab"]["<0xC3>"] = 10;
  const Tokenizer tokenizer = load(spec);
  CHECK(tokenizer.encode("az") == Ids{2, 9});
  CHECK(tokenizer.encode("a\xC3\xA9") == Ids{2, 0});  // é: <0xA9> is missing, so <unk>
  CHECK(tokenizer.decode({2, 9}) == "az");
  CHECK(tokenizer.decode({10, 2}) ==
        "\xEF\xBF\xBD"
        "a");  // a lone 0xC3 is not UTF-8
}

TEST_CASE("added tokens: longest match, leftmost first, lstrip and rstrip", "[tokenizer]") {
  json spec = small_tokenizer();
  spec["added_tokens"].push_back(added(11, "<x>"));
  spec["added_tokens"].push_back(added(12, "<x>>"));
  spec["added_tokens"].push_back(added(13, "b<x"));
  const Tokenizer plain = load(spec);
  CHECK(plain.encode("ab <x> c") == Ids{6, 5, 11, 5, 4});
  CHECK(plain.encode("<x>>c") == Ids{12, 4});
  CHECK(plain.encode("ab<x>") == Ids{2, 13, 0});  // "b<x" starts first, although "<x>" is longer
  CHECK(plain.decode({6, 5, 11, 5, 4}) == "ab <x> c");

  spec["added_tokens"][2]["lstrip"] = true;
  spec["added_tokens"][2]["rstrip"] = true;
  const Tokenizer stripping = load(spec);
  CHECK(stripping.encode("ab <x> c") == Ids{6, 11, 4});
  CHECK(stripping.encode("ab \t<x>\xE2\x80\x83"
                         "c") == Ids{6, 11, 4});  // tab and em space too
}

TEST_CASE("added tokens with normalized=true match the normalized text", "[tokenizer]") {
  json spec = small_tokenizer();
  json token = added(11, "b c");
  token["normalized"] = true;  // its pattern becomes "b▁c"
  spec["added_tokens"].push_back(token);
  const Tokenizer tokenizer = load(spec);
  CHECK(tokenizer.encode("ab c") == Ids{2, 11});
  CHECK(tokenizer.encode("ab\xE2\x96\x81"
                         "c") == Ids{2, 11});  // a literal ▁ normalizes the same
}

TEST_CASE("Split pre-tokenizer merges each delimiter into the word before it", "[tokenizer]") {
  json spec = small_tokenizer();
  spec["normalizer"] = nullptr;
  spec["model"]["vocab"][" "] = 9;
  spec["model"]["vocab"][" a"] = 10;
  spec["model"]["merges"] = json::array({json::array({" ", "a"})});
  CHECK(load(spec).encode("b a") == Ids{3, 10});  // one word: " "+"a" merge
  spec["pre_tokenizer"] = {{"type", "Split"},
                           {"pattern", {{"String", " "}}},
                           {"behavior", "MergedWithPrevious"},
                           {"invert", false}};
  const Tokenizer split = load(spec);
  CHECK(split.encode("b a") == Ids{3, 9, 2});      // words "b ", "a"
  CHECK(split.encode("b  a") == Ids{3, 9, 9, 2});  // words "b ", " ", "a"
  CHECK(split.encode(" a") == Ids{9, 2});          // a leading delimiter stands alone
}

TEST_CASE("a tokenizer file that cannot be read is reported by name and problem", "[tokenizer]") {
  CHECK_THROWS_AS(Tokenizer::load("/no/such/dir/tokenizer.json"), loupe::IoError);
  CHECK_THROWS_WITH(Tokenizer::load("/no/such/dir/tokenizer.json"),
                    Contains("/no/such/dir/tokenizer.json") && Contains("cannot open"));

  const std::string broken = write_json_file("{\"model\": {\"type\": \"BPE\", ");
  CHECK_THROWS_AS(Tokenizer::load(broken), loupe::FormatError);
  CHECK_THROWS_WITH(Tokenizer::load(broken), Contains(broken) && Contains("not valid JSON"));

  CHECK_THAT(load_error({{"version", "1.0"}}), Contains("no `model`"));
  json spec = small_tokenizer();
  spec["model"].erase("vocab");
  CHECK_THAT(load_error(spec), Contains("no `vocab`"));
}

TEST_CASE("unsupported components are refused, naming them", "[tokenizer]") {
  auto with = [](const char* key, json value) {
    json spec = small_tokenizer();
    spec[key] = std::move(value);
    return load_error(spec);
  };
  CHECK_THAT(with("normalizer", {{"type", "NFKC"}}), Contains("normalizer type 'NFKC' is not supported"));
  CHECK_THAT(with("normalizer", {{"type", "Sequence"}, {"normalizers", {{{"type", "Lowercase"}}}}}),
             Contains("'Lowercase'"));
  CHECK_THAT(with("normalizer", {{"type", "Replace"}, {"pattern", {{"Regex", " +"}}}, {"content", "▁"}}),
             Contains("Regex pattern is not supported"));
  CHECK_THAT(with("pre_tokenizer", {{"type", "ByteLevel"}}), Contains("pre_tokenizer type 'ByteLevel'"));
  CHECK_THAT(
      with("pre_tokenizer", {{"type", "Split"}, {"pattern", {{"String", " "}}}, {"behavior", "Isolated"}}),
      Contains("behavior 'Isolated'"));
  CHECK_THAT(with("decoder", {{"type", "WordPiece"}}), Contains("decoder type 'WordPiece'"));
  CHECK_THAT(with("post_processor", {{"type", "RobertaProcessing"}}), Contains("'RobertaProcessing'"));
  CHECK_THAT(with("truncation", {{"max_length", 8}}), Contains("`truncation`"));

  json spec = small_tokenizer();
  spec["model"]["type"] = "WordPiece";
  CHECK_THAT(load_error(spec), Contains("model type 'WordPiece' is not supported"));
  spec = small_tokenizer();
  spec["model"]["dropout"] = 0.1;
  CHECK_THAT(load_error(spec), Contains("dropout"));
  spec = small_tokenizer();
  spec["added_tokens"][0]["single_word"] = true;
  CHECK_THAT(load_error(spec), Contains("single_word"));
}

TEST_CASE("malformed vocabularies and merges are refused", "[tokenizer]") {
  json spec = small_tokenizer();
  spec["model"]["merges"] = {"a z"};
  CHECK_THAT(load_error(spec), Contains("not in model.vocab"));
  spec["model"]["merges"] = {"abc"};
  CHECK_THAT(load_error(spec), Contains("not two tokens"));
  spec["model"]["merges"] = json::array({json::array({"a", "b", "c"})});
  CHECK_THAT(load_error(spec), Contains("[a, b]"));
  spec = small_tokenizer();
  spec["model"]["vocab"] = {"a", "b"};
  CHECK_THAT(load_error(spec), Contains("model.vocab must be an object"));
  spec["model"]["vocab"] = {{"a", -1}};
  CHECK_THAT(load_error(spec), Contains("model.vocab \"a\": the id must be a non-negative integer, not -1"));
  spec = small_tokenizer();
  spec["model"]["unk_token"] = "<missing>";
  CHECK_THAT(load_error(spec), Contains("unk_token '<missing>'"));
}
