// One forward pass that captures hooks (`loupe forward --dump`): the activations by hook name.
#pragma once
#include <vector>

#include "core/model/hooks.h"
#include "core/model/inputs.h"
#include "core/model/vlm.h"
#include "core/tensor/convert.h"

namespace loupe::study {

// Each hook's activation under its name, batch dimension dropped: [T, d] (attention patterns
// [heads, query, key]; the projector [images·tokens, d]), in the order of `points`.
tensor::NamedTensors forward_dump(const model::VlmImpl& model, const model::VlmInputs& inputs,
                                  const std::vector<model::HookPoint>& points);

}  // namespace loupe::study
