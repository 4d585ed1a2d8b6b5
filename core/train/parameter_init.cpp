#include "core/train/parameter_init.h"

namespace loupe::train {

void init_parameters(model::VlmImpl& model) {
  {
    torch::NoGradGuard no_grad;
    for (auto& parameter : model.parameters()) {
      if (parameter.dim() >= 2)
        parameter.normal_(0.0, kInitStd);
      else
        parameter.zero_();
    }
    for (const auto& module : model.modules(/*include_self=*/false))
      if (const auto* norm = module->as<model::NormImpl>(); norm && norm->kind == model::NormKind::Layer)
        norm->weight.fill_(1.0);
  }
  for (auto& parameter : model.parameters()) parameter.set_requires_grad(true);
}

}  // namespace loupe::train
