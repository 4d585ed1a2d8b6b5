// A captioning prompt's token types as the positions vocabulary (core/text/position_selector.h)
// reads them: a prompt's token_type_ids mark only the image placeholders, and every other prompt
// token is chat template; the caption's own tokens (text) are the ones generated after it.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace loupe::study {

// token_type_ids [1, T] → T types (image or template) followed by `generated` text positions.
std::vector<int8_t> prompt_types(const torch::Tensor& token_type_ids, int64_t generated = 0);

}  // namespace loupe::study
