// Autoregressive generation with the KV cache: greedy or sampled, streaming, cancellable.
// Interventions are whatever the session's hook set holds: they apply to the prompt and to every
// generated position alike.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <vector>

#include "core/model/vlm.h"

namespace loupe::model {

struct Sampling {
  bool greedy = true;       // argmax (first index on ties)
  double temperature = 1.0;
  int64_t top_k = 0;        // 0: off
  double top_p = 1.0;       // 1: off
  uint64_t seed = 0;
};

struct GenerateOptions {
  int64_t max_new_tokens = 32;
  int64_t min_new_tokens = 0;       // end tokens are suppressed before this many
  Sampling sampling;
  std::vector<int64_t> stop_ids;    // end tokens (kept in the output); empty: never stop early
  bool keep_step_logits = false;    // keep the raw logits of every step
  // Called after each step with the step index and the new token of every row.
  std::function<void(int64_t step, const std::vector<int64_t>& tokens)> on_step;
  // The job this generation runs in, if any: its cancel request is honoured between steps.
  // Generation counts no progress of its own; the action that calls it does.
  const jobs::JobContext* job = nullptr;
};

struct GenerateResult {
  std::vector<std::vector<int64_t>> tokens;  // per batch row, the end token included when reached
  torch::Tensor step_logits;                 // [B, steps, vocab] float32 when kept
};

// Runs the prompt (prefill) and then one token at a time. The session must be fresh (reset).
// Rows that reach an end token stop growing while the others go on. Throws loupe::Cancelled when
// the job is cancelled, InputError when a step's logits are not finite.
GenerateResult generate(const VlmImpl& model, Session& session, const VlmInputs& prompt, const GenerateOptions& options);

}  // namespace loupe::model
