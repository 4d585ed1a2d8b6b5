// Prompt builders against the prompts the Hugging Face processors built
// (tests/fixtures/tokenizers/tokenizer_cases.json, `prompts`).
#include "core/text/prompt.h"

#include <algorithm>
#include <catch2/catch.hpp>

#include "base/tokenizer_files.h"
#include "core/error.h"

using loupe::io::Family;
using loupe::test::real_tokenizer;
using loupe::test::tokenizer_cases;
using namespace loupe::text;

namespace {

std::vector<int64_t> fixture_ids(const char* prompt) {
  return tokenizer_cases()["prompts"][prompt]["ids"].get<std::vector<int64_t>>();
}

std::vector<int64_t> concat(std::vector<int64_t> a, const std::vector<int64_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

TEST_CASE("the captioning questions and the language codes", "[prompt]") {
  CHECK(caption_question(loupe::Language::English) == "Describe this image in one sentence.");
  CHECK(caption_question(loupe::Language::Arabic) == "صف هذه الصورة في جملة واحدة.");
  CHECK(loupe::parse_language("ar") == loupe::Language::Arabic);
  CHECK(std::string(loupe::language_code(loupe::Language::English)) == "en");
  CHECK_THROWS_WITH(loupe::parse_language("fr", "--lang"), Catch::Contains("unknown --lang 'fr'"));
  CHECK(loupe::parse_languages({"ar", "en"}) == std::vector<loupe::Language>{loupe::Language::Arabic, loupe::Language::English});
}

TEST_CASE("Gemma 3 prompts equal the Gemma3 processor's, English and Arabic", "[prompt]") {
  const auto& tokenizer = real_tokenizer("gemma3");
  for (const auto& [language, name] : {std::pair{loupe::Language::English, "gemma3_en"}, std::pair{loupe::Language::Arabic, "gemma3_ar"}}) {
    INFO(name);
    const Prompt prompt = gemma3_prompt(tokenizer, caption_question(language), 256);
    CHECK(prompt.ids == fixture_ids(name));
    REQUIRE(prompt.token_type_ids.size() == prompt.ids.size());
    for (size_t i = 0; i < prompt.ids.size(); ++i)
      CHECK(prompt.token_type_ids[i] == (prompt.ids[i] == 262144 ? 1 : 0));
    CHECK(std::count(prompt.token_type_ids.begin(), prompt.token_type_ids.end(), 1) == 256);
  }
  // The chat template trims the question.
  CHECK(gemma3_prompt(tokenizer, "  " + caption_question(loupe::Language::English) + "\n", 256).ids == fixture_ids("gemma3_en"));
}

TEST_CASE("LLaVA-1.5 prompts equal the LLaVA processor's", "[prompt]") {
  const auto& tokenizer = real_tokenizer("llama2");
  const Prompt prompt = llava15_prompt(tokenizer, caption_question(loupe::Language::English), 576, 32000);
  CHECK(prompt.ids == fixture_ids("llava15_en"));
  REQUIRE(prompt.token_type_ids.size() == prompt.ids.size());
  for (size_t i = 0; i < prompt.ids.size(); ++i)
    CHECK(prompt.token_type_ids[i] == (prompt.ids[i] == 32000 ? 1 : 0));
}

TEST_CASE("prompt builders refuse impossible requests", "[prompt]") {
  CHECK_THROWS_AS(gemma3_prompt(real_tokenizer("gemma3"), "q", 0), loupe::InputError);
  CHECK_THROWS_AS(llava15_prompt(real_tokenizer("llama2"), "q", 0, 32000), loupe::InputError);
  // The Llama 2 vocabulary has no <image_soft_token>: the wrong tokenizer for Gemma 3.
  CHECK_THROWS_AS(gemma3_prompt(real_tokenizer("llama2"), "q", 256), loupe::InputError);
}

TEST_CASE("a teacher-forced answer equals tokenizing the rendered conversation", "[prompt]") {
  const std::vector<std::string> answers = {"A woman is cooking in a kitchen.",
                                            "The doctor said she would call him back.",
                                            "امرأة تطبخ في المطبخ", "رجل يركب دراجة في الشارع."};
  SECTION("Gemma 3: {answer}<end_of_turn>") {
    const auto& tokenizer = real_tokenizer("gemma3");
    const std::string rendered = tokenizer_cases()["prompts"]["gemma3_en"]["expanded_text"];
    const Prompt prompt = gemma3_prompt(tokenizer, caption_question(loupe::Language::English), 256);
    for (const std::string& answer : answers) {
      INFO(answer);
      const Prompt full = with_answer(tokenizer, prompt, " " + answer + "\n", Family::Gemma3);
      CHECK(full.ids == tokenizer.encode(rendered + answer + "<end_of_turn>"));
      CHECK(full.ids.back() == 106);
      CHECK(full.token_type_ids.size() == full.ids.size());
      CHECK(std::equal(prompt.ids.begin(), prompt.ids.end(), full.ids.begin()));
    }
  }
  SECTION("LLaVA-1.5: ASSISTANT: {answer}</s>") {
    const auto& tokenizer = real_tokenizer("llama2");
    const Prompt prompt = llava15_prompt(tokenizer, caption_question(loupe::Language::English), 576, 32000);
    const std::string question_text = "\n" + caption_question(loupe::Language::English) + " ASSISTANT:";
    const size_t question_start = prompt.ids.size() - tokenizer.encode(question_text).size();
    const std::vector<int64_t> before_text(prompt.ids.begin(), prompt.ids.begin() + question_start);
    for (const std::string& answer : answers) {
      INFO(answer);
      const Prompt full = with_answer(tokenizer, prompt, answer, Family::Llava);
      CHECK(full.ids == concat(before_text, tokenizer.encode(question_text + " " + answer + "</s>")));
      CHECK(full.ids.back() == 2);
    }
  }
}
