#include "core/analysis/latent_geometry.h"

#include <limits>

#include "core/error.h"

namespace loupe::analysis {

namespace {

constexpr float kExcluded = -std::numeric_limits<float>::infinity();

// The `count` largest of each row of `scores` [B, N] as (index, value) lists; excluded entries skipped.
template <class Item, class Make>
void append_topk(const torch::Tensor& scores, int64_t count, std::vector<std::vector<Item>>& out, Make make) {
  const int64_t k = std::min<int64_t>(count, scores.size(1));
  if (k <= 0) {
    out.resize(out.size() + size_t(scores.size(0)));
    return;
  }
  const auto [values, indices] = scores.topk(k, 1);  // [B, k] each
  const torch::Tensor v = values.to(torch::kFloat32).contiguous().cpu(), i = indices.contiguous().cpu();
  const float* value = v.data_ptr<float>();
  const int64_t* index = i.data_ptr<int64_t>();
  for (int64_t row = 0; row < scores.size(0); ++row) {
    std::vector<Item> items;
    for (int64_t j = row * k; j < (row + 1) * k && value[j] != kExcluded; ++j) items.push_back(make(index[j], value[j]));
    out.push_back(std::move(items));
  }
}

torch::Tensor flag_mask(const std::vector<bool>& flags) {  // [V] bool
  std::vector<uint8_t> bytes(flags.begin(), flags.end());
  return torch::from_blob(bytes.data(), {int64_t(bytes.size())}, torch::kUInt8).to(torch::kBool).clone();
}

}  // namespace

std::vector<std::vector<std::pair<int64_t, double>>> decoder_neighbours(const torch::Tensor& W_dec, int64_t count) {
  torch::NoGradGuard no_grad;
  const torch::Tensor unit = torch::nn::functional::normalize(W_dec.to(torch::kFloat32),
                                                              torch::nn::functional::NormalizeFuncOptions().dim(1));  // [L, d]
  const int64_t latents = unit.size(0);
  std::vector<std::vector<std::pair<int64_t, double>>> out;
  constexpr int64_t kRows = 1024;
  // One buffer for every block: a fresh [1024, L] product per block costs as much in page faults as
  // the product itself.
  const torch::Tensor block = torch::empty({std::min(kRows, latents), latents}, unit.options());  // [kRows, L]
  for (int64_t begin = 0; begin < latents; begin += kRows) {
    const int64_t rows = std::min(kRows, latents - begin);
    torch::Tensor cosine = block.narrow(0, 0, rows);  // [rows, L]
    torch::mm_out(cosine, unit.narrow(0, begin, rows), unit.t());
    cosine.index_put_({torch::arange(rows), torch::arange(begin, begin + rows)}, kExcluded);  // not itself
    append_topk(cosine, count, out, [](int64_t latent, float value) { return std::pair<int64_t, double>(latent, value); });
  }
  return out;
}

std::vector<LogitEffects> logit_effects(const torch::Tensor& W_dec, const torch::Tensor& unembedding, int64_t count,
                                        const std::vector<bool>& is_arabic, const std::vector<bool>& is_latin) {
  torch::NoGradGuard no_grad;
  if (unembedding.dim() != 2 || unembedding.size(1) != W_dec.size(1))
    throw InputError("the model's unembedding is [" + std::to_string(unembedding.size(0)) + ", " +
                     std::to_string(unembedding.size(-1)) + "] but the SAE writes " + std::to_string(W_dec.size(1)) +
                     "-wide vectors");
  const int64_t vocab = unembedding.size(0);
  if (int64_t(is_arabic.size()) != vocab || int64_t(is_latin.size()) != vocab)
    throw InputError("logit effects need one script flag per vocabulary token");
  const torch::Tensor W_U = unembedding.to(torch::kFloat32);  // [V, d]
  const torch::Tensor arabic = flag_mask(is_arabic), latin = flag_mask(is_latin);
  const auto token = [](int64_t id, float value) { return TokenEffect{id, value}; };
  const auto negated = [](int64_t id, float value) { return TokenEffect{id, -value}; };
  std::vector<std::vector<TokenEffect>> top, bottom, top_arabic, top_latin;
  const int64_t latents = W_dec.size(0);
  for (int64_t begin = 0; begin < latents; begin += 64) {
    const int64_t rows = std::min<int64_t>(64, latents - begin);
    const torch::Tensor effect = W_dec.narrow(0, begin, rows).to(torch::kFloat32).matmul(W_U.t());  // [rows, V]
    append_topk(effect, count, top, token);
    append_topk(-effect, count, bottom, negated);
    append_topk(effect.masked_fill(arabic.logical_not(), kExcluded), count, top_arabic, token);
    append_topk(effect.masked_fill(latin.logical_not(), kExcluded), count, top_latin, token);
  }
  std::vector<LogitEffects> out(static_cast<size_t>(latents));
  for (size_t j = 0; j < out.size(); ++j)
    out[j] = {std::move(top[j]), std::move(bottom[j]), std::move(top_arabic[j]), std::move(top_latin[j])};
  return out;
}

}  // namespace loupe::analysis
