#include "core/intervene/sae_edit.h"

#include <cmath>

#include "core/error.h"

namespace loupe::intervene {

namespace {

class SaeEdit final : public model::HookOperation {
 public:
  SaeEdit(std::shared_ptr<const sae::Sae> sae, std::vector<LatentEdit> edits, model::Selection selection)
      : sae_(std::move(sae)), edits_(std::move(edits)), selection_(std::move(selection)) {}

  torch::Tensor apply(const torch::Tensor& x, const model::HookContext& context) override {
    const int64_t d_in = sae_->config.d_in;
    if (x.size(-1) != d_in)
      throw InputError("the SAE edit at " + model::hook_name(context.point) + " takes vectors " + std::to_string(d_in) +
                       " wide but the hook's are " + std::to_string(x.size(-1)));
    return model::edit_selection(x, selection_, context, [&](const torch::Tensor& selected) {
      const torch::Tensor flat = selected.reshape({-1, d_in}).to(sae_->device(), torch::kFloat32);  // [n, d_in]
      const torch::Tensor codes = sae_->encode(flat);                                                // [n, d_sae]
      torch::Tensor edited = codes.clone();
      for (const LatentEdit& edit : edits_) {
        torch::Tensor column = edited.select(1, edit.latent);  // [n], a view into `edited`
        const torch::Tensor target = edit.kind == LatentEdit::Kind::Set ? torch::full_like(column, edit.value) : column * edit.value;
        column.add_(edit.weight * (target - column));
      }
      const torch::Tensor delta = torch::matmul(edited - codes, sae_->W_dec);  // [n, d_in]
      return selected + delta.to(selected.device(), selected.scalar_type()).view(selected.sizes());
    });
  }

 private:
  std::shared_ptr<const sae::Sae> sae_;
  std::vector<LatentEdit> edits_;
  model::Selection selection_;
};

}  // namespace

std::unique_ptr<model::HookOperation> sae_edit(std::shared_ptr<const sae::Sae> sae, std::vector<LatentEdit> edits,
                                               model::Selection selection) {
  if (edits.empty()) throw InputError("an SAE edit needs at least one latent to change");
  for (const LatentEdit& edit : edits) {
    if (edit.latent < 0 || edit.latent >= sae->config.d_sae)
      throw InputError("latent " + std::to_string(edit.latent) + " is outside this SAE's " +
                       std::to_string(sae->config.d_sae) + " latents");
    if (!std::isfinite(edit.value) || !std::isfinite(edit.weight))
      throw InputError("the edit of latent " + std::to_string(edit.latent) + " needs a finite value and weight");
  }
  return std::make_unique<SaeEdit>(std::move(sae), std::move(edits), std::move(selection));
}

}  // namespace loupe::intervene
