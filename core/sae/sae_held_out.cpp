#include "core/sae/sae_held_out.h"

#include <algorithm>

#include "core/error.h"

namespace loupe::sae {

HeldOutVectors tensor_held_out(torch::Tensor data) {
  if (data.dim() != 2 || data.size(0) < 1)
    throw InputError("held-out vectors must be [N, d] with N >= 1, got " + c10::str(data.sizes()));
  HeldOutVectors vectors;
  vectors.count = data.size(0);
  vectors.read = [data](int64_t begin, int64_t end) { return data.slice(0, begin, end).to(torch::kFloat32); };
  return vectors;
}

SaeFigures measure_sae(const Sae& sae, const HeldOutVectors& vectors, int64_t chunk, double dense_frequency,
                       const std::function<void()>& between_chunks) {
  torch::NoGradGuard no_grad;
  if (vectors.count < 1 || !vectors.read) throw InputError("there are no held-out vectors to measure the SAE on");
  if (chunk < 1) throw InputError("the held-out chunk must hold at least one vector");
  const int64_t d_in = sae.config.d_in, d_sae = sae.config.d_sae;
  const torch::Device device = sae.device();
  double squared_error = 0, sum_squares = 0, active = 0;
  torch::Tensor sum = torch::zeros({d_in}, torch::TensorOptions().dtype(torch::kFloat64).device(device));  // [d_in]
  torch::Tensor fires = torch::zeros({d_sae}, torch::TensorOptions().dtype(torch::kLong).device(device));  // [d_sae]
  for (int64_t begin = 0; begin < vectors.count; begin += chunk) {
    if (between_chunks) between_chunks();
    const int64_t end = std::min(vectors.count, begin + chunk);
    const torch::Tensor x = vectors.read(begin, end).to(device, torch::kFloat32);  // [n, d_in]
    if (x.dim() != 2 || x.size(0) != end - begin || x.size(1) != d_in)
      throw InputError("held-out vectors " + std::to_string(begin) + ".." + std::to_string(end) + " have shape " +
                       c10::str(x.sizes()) + ", expected [" + std::to_string(end - begin) + ", " + std::to_string(d_in) + "]");
    torch::Tensor reconstruction;  // [n, d_in]
    if (sae.config.kind == SaeKind::TopK) {
      const SparseCodes codes = sae.encode_topk(x);  // [n, k]
      const torch::Tensor on = codes.values > 0;     // [n, k]
      fires += torch::bincount(codes.indices.masked_select(on), {}, d_sae);
      active += double(on.sum().item<int64_t>());
      reconstruction = sae.decode_sparse(codes);
    } else {
      const torch::Tensor codes = sae.encode(x);  // [n, d_sae]
      const torch::Tensor on = codes > 0;
      fires += on.sum(0);
      active += double(on.sum().item<int64_t>());
      reconstruction = sae.decode(codes);
    }
    const torch::Tensor wide = x.to(torch::kFloat64);  // [n, d_in]
    squared_error += (reconstruction.to(torch::kFloat64) - wide).pow(2).sum().item<double>();
    sum_squares += wide.pow(2).sum().item<double>();
    sum += wide.sum(0);
  }
  SaeFigures figures;
  const double n = double(vectors.count);
  figures.vectors = vectors.count;
  figures.mse = squared_error / n;
  const double total = sum_squares - sum.pow(2).sum().item<double>() / n;  // Σ‖x - x̄‖²
  figures.explained_variance = total > 0 ? 1.0 - squared_error / total : 0.0;
  figures.l0 = active / n;
  figures.dead_latents = (fires == 0).sum().item<int64_t>();
  figures.dense_latents = (fires.to(torch::kFloat64) / n > dense_frequency).sum().item<int64_t>();
  return figures;
}

}  // namespace loupe::sae
