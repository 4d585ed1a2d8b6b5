// The demo tokenizer built from the synth captions: it loads with text::Tokenizer, gives one token
// per word, round-trips every caption, and serves the Gemma 3 prompt builder unchanged.
#include "core/text/tokenizer_builder.h"

#include <algorithm>
#include <catch2/catch.hpp>

#include "core/error.h"
#include "core/synth/captions.h"
#include "core/text/prompt.h"
#include "support/temp_dir.h"

using namespace loupe;
using text::DemoTokenIds;

namespace {

// Every synth caption in both languages.
std::vector<std::string> synth_captions() {
  std::vector<std::string> captions;
  for (int s = 0; s < synth::kSubjectCount; ++s)
    for (int a = 0; a < synth::kActivityCount; ++a)
      for (int p = 0; p < synth::kPhrasingCount; ++p)
        for (auto language : {Language::English, Language::Arabic})
          captions.push_back(synth::caption_text(synth::Subject(s), synth::Activity(a), p, language));
  return captions;
}

size_t word_count(const std::string& text) { return size_t(std::count(text.begin(), text.end(), ' ')) + 1; }

struct BuiltTokenizer {
  test::TempDir dir{"loupe-tokbuild"};
  text::Tokenizer tokenizer;
  explicit BuiltTokenizer(const std::vector<std::string>& corpus)
      : tokenizer(text::Tokenizer::load(dir.write("tokenizer.json", text::build_tokenizer_json(corpus).dump(1)))) {}
};

std::vector<std::string> demo_corpus() {
  std::vector<std::string> corpus = synth_captions();
  corpus.push_back(text::kCaptionQuestionEnglish);
  corpus.push_back(text::kCaptionQuestionArabic);
  return corpus;
}

}  // namespace

TEST_CASE("the demo tokenizer round-trips every synth caption, one token per word", "[tokenizer_builder]") {
  const BuiltTokenizer built(demo_corpus());
  const text::Tokenizer& tokenizer = built.tokenizer;
  for (const std::string& caption : demo_corpus()) {
    INFO(caption);
    const std::vector<int64_t> ids = tokenizer.encode(caption);
    CHECK(ids.size() == word_count(caption));
    CHECK(tokenizer.decode(ids) == caption);
    const std::vector<int64_t> with_bos = tokenizer.encode(caption, true);
    REQUIRE(!with_bos.empty());
    CHECK(with_bos.front() == DemoTokenIds::bos);
    CHECK(tokenizer.decode(with_bos, true) == caption);
  }
  // Text outside the corpus still round-trips through characters and byte fallback.
  const std::string novel = "a zebra 🦓 is reading";
  CHECK(tokenizer.decode(tokenizer.encode(novel)) == novel);
}

TEST_CASE("the demo tokenizer has Gemma 3's special tokens at fixed ids", "[tokenizer_builder]") {
  const BuiltTokenizer built(demo_corpus());
  const text::Tokenizer& tokenizer = built.tokenizer;
  CHECK(tokenizer.token_id("<pad>") == DemoTokenIds::pad);
  CHECK(tokenizer.token_id("<eos>") == DemoTokenIds::eos);
  CHECK(tokenizer.token_id("<bos>") == DemoTokenIds::bos);
  CHECK(tokenizer.token_id("<unk>") == DemoTokenIds::unk);
  CHECK(tokenizer.token_id("<start_of_turn>") == DemoTokenIds::start_of_turn);
  CHECK(tokenizer.token_id("<end_of_turn>") == DemoTokenIds::end_of_turn);
  CHECK(tokenizer.token_id("<start_of_image>") == DemoTokenIds::start_of_image);
  CHECK(tokenizer.token_id("<end_of_image>") == DemoTokenIds::end_of_image);
  CHECK(tokenizer.token_id("<image_soft_token>") == DemoTokenIds::image_soft_token);
  CHECK(tokenizer.token_id("<0x41>") == 11 + 0x41);
  CHECK(tokenizer.is_special(DemoTokenIds::end_of_turn));
  CHECK_FALSE(tokenizer.is_special(tokenizer.token_id("\n")));
  CHECK(tokenizer.bos_id() == DemoTokenIds::bos);
}

TEST_CASE("the Gemma 3 prompt builder works on the demo tokenizer", "[tokenizer_builder]") {
  const BuiltTokenizer built(demo_corpus());
  const text::Tokenizer& tokenizer = built.tokenizer;
  for (const loupe::Language language : loupe::kLanguages) {
    INFO(loupe::language_code(language));
    const text::Prompt prompt = text::gemma3_prompt(tokenizer, text::caption_question(language), 16);
    REQUIRE(prompt.ids.size() == prompt.token_type_ids.size());
    CHECK(prompt.ids.front() == DemoTokenIds::bos);
    CHECK(std::count(prompt.ids.begin(), prompt.ids.end(), DemoTokenIds::bos) == 1);
    CHECK(std::count(prompt.ids.begin(), prompt.ids.end(), DemoTokenIds::image_soft_token) == 16);
    CHECK(std::count(prompt.token_type_ids.begin(), prompt.token_type_ids.end(), 1) == 16);
    CHECK(std::count(prompt.ids.begin(), prompt.ids.end(), DemoTokenIds::unk) == 0);
    // <bos> <start_of_turn> user \n\n \n <start_of_image> 16 x soft <end_of_image> \n\n question
    // <end_of_turn> \n <start_of_turn> model \n
    const size_t question_tokens = word_count(text::caption_question(language));
    CHECK(prompt.ids.size() == 5 + 1 + 16 + 1 + 1 + question_tokens + 1 + 1 + 1 + 1 + 1);
    CHECK(tokenizer.token_text(prompt.ids[2]) == "user");
    CHECK(tokenizer.token_text(prompt.ids[prompt.ids.size() - 2]) == "model");

    const std::string answer = language == loupe::Language::English ? "a woman is cooking in the kitchen" : "امرأة تطبخ في المطبخ";
    const text::Prompt full = text::with_answer(tokenizer, prompt, answer, io::Family::Gemma3);
    CHECK(full.ids.size() == prompt.ids.size() + word_count(answer) + 1);
    CHECK(full.ids.back() == DemoTokenIds::end_of_turn);
  }
}

TEST_CASE("the tokenizer builder rejects text that is not UTF-8", "[tokenizer_builder]") {
  const std::string message =
      test::message_of<InputError>([] { text::build_tokenizer_json({"a man", std::string("bad \xFF byte")}); });
  CHECK(message.find("not valid UTF-8") != std::string::npos);
}
