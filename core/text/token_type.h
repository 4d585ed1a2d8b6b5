// Token types: one code for prompts and activation stores.
// A prompt's token_type_ids (the model input, as Hugging Face's processors build it) hold kTextToken
// (0) everywhere but the image placeholders, kImageToken (1). A store's `token_type` refines the
// non-image tokens into the caption's own tokens (kTextToken) and the chat template and special
// tokens around them (kTemplateToken).
#pragma once
#include <cstdint>

namespace loupe {

enum TokenType : int8_t { kTextToken = 0, kImageToken = 1, kTemplateToken = 2 };

}  // namespace loupe
