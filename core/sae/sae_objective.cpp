#include "core/sae/sae_objective.h"

#include <algorithm>
#include <limits>

#include "core/error.h"
#include "core/sae/sparse_encoder.h"

namespace loupe::sae {

namespace {

// Σ over all entries of (a - b)².
torch::Tensor squared_error(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).pow(2).sum(); }

// AuxK (Gao et al. 2024): the residual the main reconstruction left, explained by dead latents only.
torch::Tensor aux_k_loss(const Sae& sae, const torch::Tensor& centred, const torch::Tensor& pre,
                         const torch::Tensor& residual, const torch::Tensor& dead, int64_t aux_k) {
  const int64_t dead_count = dead.sum().item<int64_t>();
  if (dead_count == 0) return torch::zeros({}, residual.options());
  const int64_t k = std::min(aux_k, dead_count);
  const torch::Tensor masked = pre.masked_fill(dead.logical_not(), -std::numeric_limits<float>::infinity());
  const torch::Tensor indices = std::get<1>(torch::topk(masked, k, -1, true, false));  // [B, k]
  const torch::Tensor values = torch::relu(selected_pre_activations(centred, sae.W_enc, sae.b_enc, pre, indices));
  const torch::Tensor explained = gather_rows_sum(sae.W_dec, {values, indices});  // [B, d_in]
  const torch::Tensor variance = (residual - residual.mean(0, true)).pow(2).sum().clamp_min(1e-12);
  const double scale = std::min(1.0, double(dead_count) / double(aux_k));
  return scale * squared_error(explained, residual) / variance;
}

}  // namespace

ObjectiveResult sae_objective(const Sae& sae, const torch::Tensor& x, const torch::Tensor& dead,
                              const ObjectiveOptions& options) {
  const int64_t batch = x.size(0);
  ObjectiveResult result;
  torch::Tensor reconstruction, sparsity;
  switch (sae.config.kind) {
    case SaeKind::TopK: {
      // Dense pre-activations without autograd; gradients flow through the selected entries only.
      const torch::Tensor centred = sae.config.apply_b_dec_to_input ? x - sae.b_dec : x;  // [B, d_in]
      torch::Tensor pre;
      {
        torch::NoGradGuard no_grad;
        pre = torch::addmm(sae.b_enc, centred, sae.W_enc);  // [B, d_sae]
      }
      const torch::Tensor indices = std::get<1>(torch::topk(pre, sae.config.k, -1, true, false));  // [B, k]
      const SparseCodes codes{torch::relu(selected_pre_activations(centred, sae.W_enc, sae.b_enc, pre, indices)), indices};
      reconstruction = gather_rows_sum(sae.W_dec, codes) + sae.b_dec;
      const torch::Tensor active = codes.values.detach() > 0;  // [B, k]
      result.fire_counts = torch::bincount(indices.masked_select(active), {}, sae.config.d_sae);
      result.l0 = active.sum().item<double>() / double(batch);
      const int64_t aux_k = options.aux_k > 0 ? options.aux_k : std::max<int64_t>(1, sae.config.d_in / 2);
      sparsity = aux_k_loss(sae, centred, pre, (x - reconstruction).detach(), dead, aux_k);
      break;
    }
    case SaeKind::Relu: {
      const torch::Tensor codes = torch::relu(sae.pre_activations(x));  // [B, d_sae]
      reconstruction = sae.decode(codes);
      const torch::Tensor weighted = options.l1_decoder_norm ? codes * sae.W_dec.norm(2, {1}) : codes;
      sparsity = weighted.sum() / double(batch);
      const torch::Tensor active = codes.detach() > 0;
      result.fire_counts = active.sum(0);
      result.l0 = active.sum().item<double>() / double(batch);
      break;
    }
    case SaeKind::JumpRelu:
      throw InputError("loupe loads and runs JumpReLU SAEs but does not train them; train relu or topk");
  }
  const torch::Tensor error = squared_error(reconstruction, x) / double(batch);
  const double coefficient = sae.config.kind == SaeKind::TopK ? options.aux_coefficient : options.l1;
  result.loss = error + coefficient * sparsity;
  {
    torch::NoGradGuard no_grad;
    const double total = (x - x.mean(0, true)).pow(2).sum().item<double>();
    result.mse = error.item<double>();
    result.explained_variance = total > 0 ? 1.0 - result.mse * double(batch) / total : 0.0;
    result.sparsity_loss = sparsity.item<double>();
  }
  result.reconstruction = reconstruction.detach();
  return result;
}

}  // namespace loupe::sae
