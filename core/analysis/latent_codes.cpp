#include "core/analysis/latent_codes.h"

#include <algorithm>

#include "core/error.h"

namespace loupe::analysis {

namespace {

// Appends the rows of a [B, L] dense code to the CSR arrays.
void append_dense(LatentCodes& codes, const torch::Tensor& dense) {
  const torch::Tensor active = dense.gt(0);                              // [B, L]
  const torch::Tensor where = active.nonzero().to(torch::kInt64).contiguous();  // [nnz, 2] row-major order
  const torch::Tensor values = dense.index({active}).to(torch::kFloat32).contiguous();  // [nnz]
  const int64_t* pair = where.data_ptr<int64_t>();
  const float* v = values.data_ptr<float>();
  std::vector<int64_t> counts(size_t(dense.size(0)), 0);
  for (int64_t i = 0; i < where.size(0); ++i) {
    ++counts[size_t(pair[2 * i])];
    codes.latent.push_back(int32_t(pair[2 * i + 1]));
    codes.value.push_back(v[i]);
  }
  for (int64_t r = 0; r < dense.size(0); ++r) codes.offsets.push_back(codes.offsets.back() + counts[size_t(r)]);
}

// Appends TopK codes (values and indices [B, k]), each row's latents sorted, zeros dropped.
void append_topk(LatentCodes& codes, const sae::SparseCodes& topk) {
  const torch::Tensor values = topk.values.to(torch::kFloat32).cpu().contiguous();   // [B, k]
  const torch::Tensor indices = topk.indices.to(torch::kInt64).cpu().contiguous();  // [B, k]
  const int64_t rows = values.size(0), k = values.size(1);
  const float* v = values.data_ptr<float>();
  const int64_t* index = indices.data_ptr<int64_t>();
  std::vector<std::pair<int32_t, float>> row;
  for (int64_t r = 0; r < rows; ++r) {
    row.clear();
    for (int64_t j = 0; j < k; ++j)
      if (v[r * k + j] > 0) row.emplace_back(int32_t(index[r * k + j]), v[r * k + j]);
    std::sort(row.begin(), row.end());
    for (const auto& [latent, value] : row) {
      codes.latent.push_back(latent);
      codes.value.push_back(value);
    }
    codes.offsets.push_back(int64_t(codes.latent.size()));
  }
}

}  // namespace

LatentCodes encode_store(const store::StoreReader& store, const std::string& hook, const sae::Sae& sae,
                         const std::vector<bool>& keep, jobs::JobContext& job, int64_t chunk) {
  if (int64_t(keep.size()) != store.count())
    throw InputError("encode_store: one keep flag per store vector is needed");
  LatentCodes codes;
  codes.latents = sae.config.d_sae;
  codes.offsets.push_back(0);
  for (int64_t v = 0; v < store.count(); ++v)
    if (keep[size_t(v)]) codes.vectors.push_back(v);
  job.set_total(int64_t(codes.vectors.size()));
  job.set_stage("encoding the store's vectors");
  torch::NoGradGuard no_grad;
  torch::Tensor pre_activations;  // one [chunk, d_sae] buffer for the whole pass
  for (int64_t begin = 0; begin < store.count(); begin += chunk) {
    job.throw_if_cancelled();
    const int64_t end = std::min(store.count(), begin + chunk);
    std::vector<int64_t> local;  // kept vectors of the chunk, relative to begin
    for (int64_t v = begin; v < end; ++v)
      if (keep[size_t(v)]) local.push_back(v - begin);
    if (local.empty()) continue;
    torch::Tensor x = store.read(hook, begin, end);  // [n, d] float32
    if (int64_t(local.size()) != end - begin) x = x.index_select(0, torch::tensor(local, torch::kInt64));
    x = x.to(sae.device());
    if (sae.config.kind == sae::SaeKind::TopK) append_topk(codes, sae.encode_topk(x, pre_activations));
    else append_dense(codes, sae.encode(x).cpu());
    job.advance(int64_t(local.size()));
  }
  return codes;
}

LatentColumns columns_of(const LatentCodes& codes) {
  LatentColumns columns;
  columns.offsets.assign(size_t(codes.latents) + 1, 0);
  for (int32_t latent : codes.latent) ++columns.offsets[size_t(latent) + 1];
  for (size_t j = 0; j < size_t(codes.latents); ++j) columns.offsets[j + 1] += columns.offsets[j];
  columns.rows.resize(codes.latent.size());
  columns.value.resize(codes.latent.size());
  std::vector<int64_t> next(columns.offsets.begin(), columns.offsets.end() - 1);
  for (int64_t row = 0; row < codes.size(); ++row)
    for (int64_t a = codes.offsets[size_t(row)]; a < codes.offsets[size_t(row) + 1]; ++a) {
      const int64_t slot = next[size_t(codes.latent[size_t(a)])]++;
      columns.rows[size_t(slot)] = row;
      columns.value[size_t(slot)] = codes.value[size_t(a)];
    }
  return columns;
}

}  // namespace loupe::analysis
