// Interventions on attention (the ablation baselines of the seed study):
//   head ablation       at blocks.L.attn.hook_z [B, T, heads, head_dim]: the chosen heads' outputs
//                       set to 0 (zero ablation) or to a mean [heads, head_dim] (mean ablation)
//   attention knockout  at blocks.L.attn.hook_attn_scores [B, heads, query, key]: the scores of the
//                       chosen keys (the image tokens) set to −inf for the chosen queries, so that
//                       those queries cannot read them
// Both act on the selected positions (queries) and batch rows only.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <vector>

#include "core/model/hooks.h"

namespace loupe::intervene {

// `means`: undefined for zero ablation, else [heads, head_dim] (only the chosen heads' rows are
// read). Throws InputError for no heads or a head outside the hook's, when applied.
std::unique_ptr<model::HookOperation> head_ablation(std::vector<int64_t> heads, torch::Tensor means,
                                                    model::Selection selection = {});

// `keys`: absolute positions. Throws InputError when applied to a key axis that does not start at
// position 0 (a sliding window shorter than the sequence), and for no keys.
std::unique_ptr<model::HookOperation> attention_knockout(std::vector<int64_t> keys, model::Selection queries = {});

}  // namespace loupe::intervene
