#include "core/text/prompt.h"

#include "core/error.h"
#include "core/util/utf8.h"

namespace loupe::text {

namespace {

// Python's str.isspace, which the chat templates' `| trim` uses: Unicode white space plus the
// information separators U+001C..U+001F.
bool is_python_space(char32_t c) { return util::is_unicode_space(c) || (c >= 0x1C && c <= 0x1F); }

std::string trim(const std::string& text) {
  if (!util::is_valid_utf8(text)) throw InputError("prompt text is not valid UTF-8");
  size_t begin = 0, end = text.size();
  while (begin < end && is_python_space(util::code_point_at(text, begin)))
    begin += util::utf8_length(static_cast<unsigned char>(text[begin]));
  while (end > begin) {
    const size_t last = util::previous_char_start(text, end);
    if (!is_python_space(util::code_point_at(text, last))) break;
    end = last;
  }
  return text.substr(begin, end - begin);
}

void require_image_tokens(int64_t image_tokens) {
  if (image_tokens < 1)
    throw InputError("a prompt needs at least one image token (got " + std::to_string(image_tokens) + ")");
}

void append(Prompt& prompt, const std::vector<int64_t>& ids, int64_t type_id) {
  prompt.ids.insert(prompt.ids.end(), ids.begin(), ids.end());
  prompt.token_type_ids.insert(prompt.token_type_ids.end(), ids.size(), type_id);
}

}  // namespace

std::string caption_question(Language language) {
  return language == Language::Arabic ? kCaptionQuestionArabic : kCaptionQuestionEnglish;
}

Prompt gemma3_prompt(const Tokenizer& tokenizer, const std::string& question, int64_t image_tokens) {
  require_image_tokens(image_tokens);
  const int64_t soft_token = tokenizer.token_id("<image_soft_token>");
  std::string text = "<bos><start_of_turn>user\n\n\n<start_of_image>";
  for (int64_t i = 0; i < image_tokens; ++i) text += "<image_soft_token>";
  text += "<end_of_image>\n\n" + trim(question) + "<end_of_turn>\n<start_of_turn>model\n";

  Prompt prompt;
  prompt.ids = tokenizer.encode(text);
  for (int64_t id : prompt.ids) prompt.token_type_ids.push_back(id == soft_token ? 1 : 0);
  return prompt;
}

Prompt llava15_prompt(const Tokenizer& tokenizer, const std::string& question, int64_t image_tokens,
                      int64_t image_token_id) {
  require_image_tokens(image_tokens);
  const auto bos = tokenizer.bos_id();
  if (!bos) throw InputError(tokenizer.source() + " adds no BOS token; a LLaVA-1.5 prompt starts with <s>");
  Prompt prompt;
  append(prompt, {*bos}, 0);
  append(prompt, tokenizer.encode("USER: "), 0);
  append(prompt, std::vector<int64_t>(static_cast<size_t>(image_tokens), image_token_id), 1);
  append(prompt, tokenizer.encode("\n" + question + " ASSISTANT:"), 0);
  return prompt;
}

Prompt with_answer(const Tokenizer& tokenizer, Prompt prompt, const std::string& answer, io::Family family) {
  const int64_t end_of_turn = tokenizer.token_id(family == io::Family::Gemma3 ? "<end_of_turn>" : "</s>");
  append(prompt, tokenizer.encode(trim(answer)), 0);
  append(prompt, {end_of_turn}, 0);
  return prompt;
}

}  // namespace loupe::text
