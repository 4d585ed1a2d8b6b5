// What a latent's decoder direction does, read from the weights alone: its nearest latents by
// decoder cosine and its direct effect on the logits (W_dec · W_U, without the final norm, as
// SAEDashboard and Neuronpedia show it).
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "core/analysis/feature_analysis.h"

namespace loupe::analysis {

// For each latent, the `count` other latents whose decoder rows have the highest cosine with its
// own, highest first. W_dec [L, d].
std::vector<std::vector<std::pair<int64_t, double>>> decoder_neighbours(const torch::Tensor& W_dec, int64_t count);

struct LogitEffects {
  std::vector<TokenEffect> top, bottom, top_arabic, top_latin;
};

// For each latent, the `count` tokens W_dec · W_Uᵀ raises most and least, and those it raises most
// among tokens written in Arabic script and in Latin script (`is_arabic`, `is_latin`: one flag per
// token). W_dec [L, d], unembedding [V, d].
std::vector<LogitEffects> logit_effects(const torch::Tensor& W_dec, const torch::Tensor& unembedding, int64_t count,
                                        const std::vector<bool>& is_arabic, const std::vector<bool>& is_latin);

}  // namespace loupe::analysis
