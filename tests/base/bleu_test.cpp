// BLEU against sacreBLEU 2.6.0 (tests/fixtures/metrics/bleu_cases.json) and the 13a tokenizer
// against sacreBLEU's regular expressions.
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/eval/bleu.h"
#include "core/eval/tokenizer_13a.h"

using namespace loupe;
using namespace loupe::eval;

namespace {

nlohmann::json load_cases() {
  std::ifstream file(std::string(LOUPE_FIXTURES) + "/metrics/bleu_cases.json");
  REQUIRE(file);
  return nlohmann::json::parse(file);
}

Approx relative(double expected) { return Approx(expected).epsilon(1e-9).margin(0); }

}  // namespace

TEST_CASE("13a tokenization matches sacreBLEU", "[eval][bleu]") {
  using Tokens = std::vector<std::string>;
  CHECK(tokenize_13a("Hello, world! It's 3.14 or 1,000.") ==
        Tokens{"Hello", ",", "world", "!", "It's", "3.14", "or", "1,000", "."});
  CHECK(tokenize_13a("a man (wearing a hat) rides a bike...") ==
        Tokens{"a", "man", "(", "wearing", "a", "hat", ")", "rides", "a", "bike", ".", ".", "."});
  CHECK(tokenize_13a("x-ray 2-3 kids; \"quoted\" &amp; &lt;b&gt;") ==
        Tokens{"x-ray", "2", "-", "3", "kids", ";", "\"", "quoted", "\"", "&", "<", "b", ">"});
  CHECK(tokenize_13a("رجل، يركب دراجة.") == Tokens{"رجل،", "يركب", "دراجة", "."});
  CHECK(tokenize_13a("tab\there\u00a0nbsp\u2003em") == Tokens{"tab", "here", "nbsp", "em"});
  CHECK(tokenize_13a("a.b,c") == Tokens{"a", ".", "b", ",", "c"});
  CHECK(tokenize_13a("a-\nb <skipped> c\nd") == Tokens{"ab", "c", "d"});
  CHECK(tokenize_13a("&amp;quot;") == Tokens{"&", "quot", ";"});
  CHECK(tokenize_13a("..a") == Tokens{".", ".", "a"});
  CHECK(tokenize_13a("5.,x") == Tokens{"5", ".", ",", "x"});
  CHECK(tokenize_13a("  \n ").empty());
}

TEST_CASE("Python whitespace rules on UTF-8", "[eval][bleu]") {
  CHECK(split_python_whitespace("\u3000a\u2028b\x1c c\u0085") == std::vector<std::string>{"a", "b", "c"});
  CHECK(rstrip_python_whitespace("ab \u00a0\n") == "ab");
  CHECK(rstrip_python_whitespace("ab\xc2") == "ab\xc2");  // a cut-off sequence is not a space
  CHECK(split_python_whitespace("a\x85z") == std::vector<std::string>{"a\x85z"});  // lone byte
}

TEST_CASE("corpus and sentence BLEU match sacreBLEU, English and Arabic", "[eval][bleu]") {
  const nlohmann::json cases = load_cases();
  for (const std::string language : {"en", "ar"}) {
    INFO("language " << language);
    const auto& expected = cases.at(language);
    const auto hypotheses = expected.at("hyps").get<std::vector<std::string>>();
    const auto references = expected.at("refs").get<std::vector<std::string>>();

    const BleuScore corpus = corpus_bleu(hypotheses, references);
    CHECK(corpus.score == relative(expected.at("corpus_bleu").get<double>()));
    for (int order = 0; order < kBleuMaxOrder; ++order)
      CHECK(corpus.precisions[order] == relative(expected.at("precisions")[order].get<double>()));
    CHECK(corpus.brevity_penalty == relative(expected.at("bp").get<double>()));
    CHECK(corpus.sys_len == expected.at("sys_len").get<int64_t>());
    CHECK(corpus.ref_len == expected.at("ref_len").get<int64_t>());

    for (size_t i = 0; i < hypotheses.size(); ++i) {
      INFO("sentence " << i);
      CHECK(sentence_bleu(hypotheses[i], references[i]).score ==
            relative(expected.at("sentence_bleu")[i].get<double>()));
    }
  }
}

TEST_CASE("BLEU edge cases follow sacreBLEU", "[eval][bleu]") {
  SECTION("identical text scores 100") {
    const BleuScore same = sentence_bleu("a dog runs on the beach", "a dog runs on the beach");
    CHECK(same.score == relative(100.0));
    CHECK(same.brevity_penalty == 1.0);
  }
  SECTION("no match at all scores 0 with zero precisions") {
    const BleuScore none = corpus_bleu({"blue sky"}, {"red car here"});
    CHECK(none.score == 0.0);
    CHECK(none.precisions == std::array<double, 4>{0, 0, 0, 0});
    CHECK(none.brevity_penalty == relative(std::exp(1.0 - 3.0 / 2.0)));
  }
  SECTION("sentence BLEU uses only the orders a short hypothesis has") {
    // Two tokens, both matching: unigram 2/2, bigram 1/1, no trigrams -> effective order 2.
    const BleuScore short_one = sentence_bleu("a dog", "a dog");
    CHECK(short_one.score == relative(100.0));
    // The corpus form keeps all four orders, so the missing ones zero the score.
    CHECK(corpus_bleu({"a dog"}, {"a dog"}).score == Approx(0.0).margin(1e-300));
  }
  SECTION("exp smoothing halves each further order without matches") {
    // Unigrams 3/4, bigrams 1/3, trigrams 0/2 -> 100/(2*2), 4-grams 0/1 -> 100/(4*1).
    const BleuScore smoothed = sentence_bleu("the cat sat down", "the cat is down");
    CHECK(smoothed.precisions[0] == relative(75.0));
    CHECK(smoothed.precisions[1] == relative(100.0 / 3.0));
    CHECK(smoothed.precisions[2] == relative(25.0));
    CHECK(smoothed.precisions[3] == relative(25.0));
    const double expected =
        std::exp((std::log(75.0) + std::log(100.0 / 3.0) + std::log(25.0) + std::log(25.0)) / 4.0);
    CHECK(smoothed.score == relative(expected));
  }
  SECTION("an empty hypothesis scores 0") {
    const BleuScore empty = sentence_bleu("", "a dog");
    CHECK(empty.score == 0.0);
    CHECK(empty.brevity_penalty == 0.0);
  }
  CHECK_THROWS_AS(corpus_bleu({"a"}, {}), InputError);
}
