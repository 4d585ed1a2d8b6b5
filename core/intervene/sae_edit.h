// Editing SAE latents inside the model (the replace mode of an SAE ablation): at the selected
// entries of the hook's tensor
//   f = encode(x),  f' = f with the edits applied,  x' = x + (f' − f) · W_dec
// which is decode(f') + (x − decode(f)): the edited reconstruction plus the SAE's error term, the
// part of x the SAE does not explain, left as it was. With no latent changed x' = x exactly.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <vector>

#include "core/model/hooks.h"
#include "core/sae/sae.h"

namespace loupe::intervene {

// The latent's target t (Set: t = value, e.g. 0 for zero ablation or the latent's mean for mean
// ablation; Scale: t = value · f_i), reached a share `weight` of the way:
//   f'_i = f_i + weight · (t − f_i)
// weight 1 substitutes the target (an ablation's replace mode); weight δ moves δ of the way, which
// subtracts δ times the latent's contribution (f_i − t) · W_dec[i] (its residual mode, --delta-scale).
struct LatentEdit {
  enum class Kind { Set, Scale };
  int64_t latent = 0;
  Kind kind = Kind::Set;
  double value = 0;
  double weight = 1;
};

// The hook operation; add it with HookSet::add_operation at the SAE's hook. Throws InputError for
// no edits, a latent outside [0, d_sae) or a value that is not finite; when applied, for a hook
// tensor whose last axis is not d_in wide.
std::unique_ptr<model::HookOperation> sae_edit(std::shared_ptr<const sae::Sae> sae, std::vector<LatentEdit> edits,
                                               model::Selection selection = {});

}  // namespace loupe::intervene
