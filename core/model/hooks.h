// A hook set: what a run captures and how it intervenes, by hook point. Handed to a Session per
// run; the model calls apply() at every hook point, which returns x untouched when nothing is
// registered there (an empty set costs one map lookup per point).
// Several hooks on one point run in the order they were added.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/model/hook_names.h"

namespace loupe::model {

// Where the tensor handed to a hook sits in the sequence.
struct HookContext {
  HookPoint point;
  int64_t first_position = 0;  // absolute position of x[:, 0] (0 on prefill, cache length when decoding)
  bool prefill = true;
};

using HookCallback = std::function<torch::Tensor(const torch::Tensor& x, const HookContext& context)>;

// Positions are absolute sequence positions (prompt and generated tokens alike); empty = all.
using Positions = std::vector<int64_t>;

class HookSet {
 public:
  // Copies x (detached) out; `positions` keeps only those positions (attention scores and
  // patterns: query positions).
  void capture(const HookPoint& point, Positions positions = {});
  // x[:, p] += alpha · vector, vector [d] (or [heads, head_dim] for q/k/v/z, [keys] for attention
  // scores and patterns).
  void add(const HookPoint& point, torch::Tensor vector, double alpha, Positions positions = {});
  // x[:, p] = source[:, p]; source [B or 1, T_source, ...] indexed by absolute position. Positions
  // past the source's end are left alone.
  void replace(const HookPoint& point, torch::Tensor source, Positions positions = {});
  // x[:, p] -= (x·d̂) d̂ with d̂ = direction / ‖direction‖.
  void project_out(const HookPoint& point, torch::Tensor direction, Positions positions = {});
  void callback(const HookPoint& point, HookCallback fn);

  bool empty() const { return hooks_.empty(); }
  bool has(const HookPoint& point) const { return hooks_.count(point) > 0; }
  void clear();

  // Called by the model at every hook point.
  torch::Tensor apply(const HookPoint& point, const torch::Tensor& x, const HookContext& context);

  // Everything captured at a point so far, chunks (prefill, then each decode step) joined along
  // the position axis. Attention scores and patterns of several chunks have different key lengths
  // and throw InputError: read them with captured_chunks.
  torch::Tensor captured(const HookPoint& point) const;
  const std::vector<torch::Tensor>& captured_chunks(const HookPoint& point) const;
  void clear_captures() { captures_.clear(); }

 private:
  struct Hook {
    enum class Kind { Capture, Add, Replace, ProjectOut, Callback } kind;
    Positions positions;
    torch::Tensor tensor;  // vector, source or unit direction
    double alpha = 0;
    HookCallback fn;
  };
  void push(const HookPoint& point, Hook hook);
  torch::Tensor run(const Hook& hook, const torch::Tensor& x, const HookContext& context);

  std::map<HookPoint, std::vector<Hook>> hooks_;
  std::map<HookPoint, std::vector<torch::Tensor>> captures_;
};

}  // namespace loupe::model
