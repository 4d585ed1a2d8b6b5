// Random initialisation of a VLM built for training: normal(0, 0.02) for every matrix (linear
// weights, embeddings, patch convolution, position embeddings, the projection), zeros for biases
// and for Gemma RMSNorm weights (the norm scales by 1 + w), ones for LayerNorm weights.
#pragma once
#include "core/model/vlm.h"

namespace loupe::train {

constexpr double kInitStd = 0.02;

// Draws from torch's default generator (seed it first for a reproducible model) and leaves every
// parameter requiring grad.
void init_parameters(model::VlmImpl& model);

}  // namespace loupe::train
