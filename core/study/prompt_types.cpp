#include "core/study/prompt_types.h"

#include "core/text/token_type.h"

namespace loupe::study {

std::vector<int8_t> prompt_types(const torch::Tensor& token_type_ids, int64_t generated) {
  const torch::Tensor prompt = token_type_ids[0].to(torch::kCPU, torch::kInt64).contiguous();  // [T]
  const int64_t length = prompt.size(0);
  std::vector<int8_t> types(size_t(length + generated), kTextToken);
  for (int64_t p = 0; p < length; ++p)
    types[size_t(p)] = prompt.data_ptr<int64_t>()[p] == kImageToken ? kImageToken : kTemplateToken;
  return types;
}

}  // namespace loupe::study
