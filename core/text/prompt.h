// Prompt builders: the input ids of one image + one question exactly as the Hugging Face processor
// of each family builds them (image placeholders expanded, one BOS), plus teacher-forced answers.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/io/hf_config.h"
#include "core/text/token_type.h"
#include "core/text/tokenizer.h"
#include "core/util/language.h"

namespace loupe::text {

struct Prompt {
  std::vector<int64_t> ids;
  std::vector<int64_t> token_type_ids;  // kImageToken at image-token positions, else kTextToken (same length as ids)
};

// The default captioning questions.
inline constexpr const char* kCaptionQuestionEnglish = "Describe this image in one sentence.";
inline constexpr const char* kCaptionQuestionArabic = "صف هذه الصورة في جملة واحدة.";
std::string caption_question(Language language);

// Gemma 3: the chat template renders
//   <bos><start_of_turn>user\n<start_of_image>{question, trimmed}<end_of_turn>\n<start_of_turn>model\n
// and the processor replaces <start_of_image> by
//   "\n\n<start_of_image>" + image_tokens x "<image_soft_token>" + "<end_of_image>\n\n",
// then tokenizes without adding a second <bos>. token_type_ids mark the <image_soft_token>s.
// image_tokens = mm_tokens_per_image (256 for Gemma 3). Throws InputError when the tokenizer has
// no <image_soft_token> or image_tokens < 1.
Prompt gemma3_prompt(const Tokenizer& tokenizer, const std::string& question, int64_t image_tokens);

// LLaVA-1.5: "USER: <image>\n{question} ASSISTANT:" tokenized with <s> in front and <image>
// expanded to image_tokens copies of image_token_id (576 x 32000 for llava-1.5). <image> is an
// added token (normalized=false) of the LLaVA tokenizer but not of the Llama 2 tokenizer.json,
// so the text on each side of it is tokenized on its own, as HF does around an added token, and
// the image ids are spliced in between. Throws InputError when the tokenizer has no BOS or
// image_tokens < 1.
Prompt llava15_prompt(const Tokenizer& tokenizer, const std::string& question, int64_t image_tokens,
                      int64_t image_token_id);

// Appends a teacher-forced answer (a caption) and the family's end-of-turn token: the ids the
// model would produce if it generated `answer` after `prompt` and then stopped.
// - Gemma 3: the chat template renders an assistant turn as "{answer, trimmed}<end_of_turn>\n";
//   the <end_of_turn> is kept (generation stops there) and the "\n" after it is not. The "\n"
//   that ends the prompt is an added token, so the answer always tokenizes on its own.
// - LLaVA-1.5: the original LLaVA conversation format (Vicuna v1) ends an assistant turn with
//   "</s>" ("... ASSISTANT: {answer}</s>"); llava-hf's chat template writes "{answer} " without
//   "</s>", but generation ends with "</s>", so "</s>" is appended. The answer is trimmed and
//   tokenized on its own (the normalizer's leading ▁ stands for the space after "ASSISTANT:");
//   this equals tokenizing the whole rendered text whenever no BPE merge crosses that space,
//   which holds for ordinary captions (tests check English and Arabic ones).
// Throws InputError when the tokenizer lacks the end-of-turn token.
Prompt with_answer(const Tokenizer& tokenizer, Prompt prompt, const std::string& answer, io::Family family);

}  // namespace loupe::text
