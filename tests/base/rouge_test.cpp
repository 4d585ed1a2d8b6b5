// ROUGE-L on hand-computed cases, English and Arabic.
#include <catch2/catch.hpp>

#include "core/error.h"
#include "core/eval/rouge.h"

using namespace loupe;
using namespace loupe::eval;

TEST_CASE("ROUGE-L tokens: 13a, lower case, punctuation dropped, Arabic kept", "[eval][rouge]") {
  using Tokens = std::vector<std::string>;
  CHECK(rouge_tokens("A Man, riding a bike.") == Tokens{"a", "man", "riding", "a", "bike"});
  CHECK(rouge_tokens("رجل، يركب دراجة؟") == Tokens{"رجل", "يركب", "دراجة"});
  CHECK(rouge_tokens("«طفل» ... “quoted” — it's") == Tokens{"طفل", "quoted", "it's"});
  CHECK(rouge_tokens(" ... ").empty());
}

TEST_CASE("ROUGE-L precision, recall and F1 from the longest common subsequence", "[eval][rouge]") {
  SECTION("English") {
    // hyp: a man is riding a bike (6); ref: a man rides a bike (5); LCS a man a bike = 4.
    const RougeL score = rouge_l("a man is riding a bike", "A man rides a bike.");
    CHECK(score.precision == Approx(4.0 / 6.0));
    CHECK(score.recall == Approx(4.0 / 5.0));
    CHECK(score.f1 == Approx(2.0 * (4.0 / 6.0) * (4.0 / 5.0) / (4.0 / 6.0 + 4.0 / 5.0)));
  }
  SECTION("order matters: LCS, not bag of words") {
    // hyp: dog bites man; ref: man bites dog; LCS length 1 (any single word).
    const RougeL score = rouge_l("dog bites man", "man bites dog");
    CHECK(score.precision == Approx(1.0 / 3.0));
    CHECK(score.recall == Approx(1.0 / 3.0));
    CHECK(score.f1 == Approx(1.0 / 3.0));
  }
  SECTION("Arabic") {
    // hyp: امرأة تطبخ في المطبخ (4); ref: امرأة تطبخ الطعام في المطبخ (5); LCS = 4.
    const RougeL score = rouge_l("امرأة تطبخ في المطبخ", "امرأة تطبخ الطعام في المطبخ.");
    CHECK(score.precision == Approx(1.0));
    CHECK(score.recall == Approx(0.8));
    CHECK(score.f1 == Approx(2.0 * 0.8 / 1.8));
  }
  SECTION("no tokens on either side scores 0") {
    CHECK(rouge_l("", "a dog").f1 == 0.0);
    CHECK(rouge_l("a dog", "!").f1 == 0.0);
    CHECK(rouge_l("cat", "dog").f1 == 0.0);
  }
}

TEST_CASE("corpus ROUGE-L is the mean of sentence scores", "[eval][rouge]") {
  const RougeL corpus = corpus_rouge_l({"a dog runs", "dog bites man", "cat"},
                                       {"a dog runs", "man bites dog", "dog"});
  CHECK(corpus.f1 == Approx((1.0 + 1.0 / 3.0 + 0.0) / 3.0));
  CHECK(corpus.precision == Approx((1.0 + 1.0 / 3.0 + 0.0) / 3.0));
  CHECK(corpus_rouge_l({}, {}).f1 == 0.0);
  CHECK_THROWS_AS(corpus_rouge_l({"a"}, {"a", "b"}), InputError);
}
