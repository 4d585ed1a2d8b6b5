// Small building blocks shared by every family. Parameters are allocated uninitialised (loading
// fills them; training calls init_parameters), so building a large model costs no time or memory
// until its weights arrive. Parameter names match Hugging Face checkpoints.
#pragma once
#include <torch/torch.h>

#include "core/io/hf_config.h"

namespace loupe::model {

// y = x·Wᵀ + b; weight [out, in], bias [out].
struct LinearImpl : torch::nn::Module {
  LinearImpl(int64_t in, int64_t out, bool bias, const torch::TensorOptions& options);
  torch::Tensor forward(const torch::Tensor& x) const;
  torch::Tensor weight, bias;
};
TORCH_MODULE(Linear);

// Token lookup table, weight [vocab, width].
struct EmbeddingImpl : torch::nn::Module {
  EmbeddingImpl(int64_t vocab, int64_t width, const torch::TensorOptions& options);
  torch::Tensor forward(const torch::Tensor& ids) const { return torch::embedding(weight, ids); }
  torch::Tensor weight;
};
TORCH_MODULE(Embedding);

enum class NormKind {
  GemmaRms,  // x·rsqrt(mean(x²)+eps)·(1+w), all in float32; weights stored zero-centred
  LlamaRms,  // w · (x·rsqrt(mean(x²)+eps)) cast back to the input dtype first
  Layer,     // LayerNorm with weight and bias
};

struct NormImpl : torch::nn::Module {
  NormImpl(NormKind kind, int64_t width, double eps, const torch::TensorOptions& options);
  torch::Tensor forward(const torch::Tensor& x) const;
  NormKind kind;
  double eps;
  torch::Tensor weight, bias;  // bias only for Layer
};
TORCH_MODULE(Norm);

// An RMS norm's per-channel gain [d] in float64 on the CPU: 1 + w for Gemma, w for Llama. Throws
// InputError for a LayerNorm (what reads the residual stream through the final norm needs an RMS norm).
torch::Tensor rms_gain(const NormImpl& norm);

torch::Tensor activate(const torch::Tensor& x, io::Activation activation);

// The rotary embedding of one run of positions: cos and sin of their angles, [1, T, 1, head_dim]
// in the compute dtype and on the compute device, built once per forward pass and shared by every
// layer that uses the same Rope.
struct RopeTable {
  torch::Tensor cos, sin;
  // x [B, T, heads, head_dim] → rotated x (rotate_half convention), same dtype.
  torch::Tensor apply(const torch::Tensor& x) const;
};

// Rotary position embedding frequencies, computed as transformers does in float32:
// inv_freq[i] = 1 / theta^(2i/dim) / linear_factor; angle = position · inv_freq.
class Rope {
 public:
  Rope(const io::RopeConfig& config, int64_t head_dim);
  // positions [T] (absolute, int64) → the table for those positions.
  RopeTable table(const torch::Tensor& positions, torch::Device device, torch::ScalarType dtype) const;

 private:
  torch::Tensor inv_freq_;  // [head_dim / 2], float32, CPU
};

}  // namespace loupe::model
