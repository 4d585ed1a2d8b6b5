#include "core/model/projector.h"

#include <cmath>

namespace loupe::model {

ProjectorImpl::ProjectorImpl(const io::ModelConfig& config, const torch::TensorOptions& options)
    : family(config.family), activation(config.projector_activation) {
  const int64_t vision = config.vision.hidden, text = config.text.hidden;
  if (family == io::Family::Gemma3) {
    patches_per_side = config.vision.patches_per_side();
    tokens_per_side = int64_t(std::llround(std::sqrt(double(config.image_tokens))));
    mm_input_projection_weight = register_parameter("mm_input_projection_weight", torch::empty({vision, text}, options));
    mm_soft_emb_norm = register_module("mm_soft_emb_norm", Norm(NormKind::GemmaRms, vision, config.vision.eps, options));
  } else {
    linear_1 = register_module("linear_1", Linear(vision, text, config.projector_bias, options));
    linear_2 = register_module("linear_2", Linear(text, text, config.projector_bias, options));
  }
}

torch::Tensor ProjectorImpl::forward(const torch::Tensor& features) const {
  if (family == io::Family::Gemma3) {
    const int64_t n = features.size(0), width = features.size(2);
    // [N, P, Hv] → [N, Hv, side, side] → pool → [N, Hv, tokens] → [N, tokens, Hv]
    torch::Tensor grid = features.transpose(1, 2).reshape({n, width, patches_per_side, patches_per_side}).contiguous();
    const int64_t kernel = patches_per_side / tokens_per_side;
    torch::Tensor pooled = torch::avg_pool2d(grid, {kernel, kernel}, {kernel, kernel}).flatten(2).transpose(1, 2);
    return torch::matmul(mm_soft_emb_norm->forward(pooled), mm_input_projection_weight).to(features.scalar_type());
  }
  return linear_2->forward(activate(linear_1->forward(features), activation));
}

}  // namespace loupe::model
