#include "core/study/forward_dump.h"

#include "core/model/hook_names.h"

namespace loupe::study {

tensor::NamedTensors forward_dump(const model::VlmImpl& model, const model::VlmInputs& inputs,
                                  const std::vector<model::HookPoint>& points) {
  model::Session session;
  for (const auto& point : points) session.hooks.capture(point);
  torch::NoGradGuard no_grad;
  model.forward(inputs, session);
  tensor::NamedTensors dumped;
  for (const auto& point : points) {
    const torch::Tensor captured = session.hooks.captured(point);
    dumped.emplace_back(model::hook_name(point),
                        point.site == model::Site::ProjectorOut ? captured.flatten(0, 1) : captured[0]);
  }
  return dumped;
}

}  // namespace loupe::study
