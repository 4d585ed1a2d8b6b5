// A hook set: what a run captures and how it intervenes, by hook point. Handed to a Session per
// run; the model calls apply() at every hook point, which returns x untouched when nothing is
// registered there (an empty set costs one map lookup per point).
// Each registered hook is a HookOperation object; several on one point run in the order added.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/model/hook_names.h"

namespace loupe::model {

class LoraAdapter;  // core/model/lora.h

// Where the tensor handed to a hook sits in the sequence.
struct HookContext {
  HookPoint point;
  int64_t first_position = 0;  // absolute position of x[:, 0] (0 on prefill, cache length when decoding)
  bool prefill = true;
};

// Positions are absolute sequence positions (prompt and generated tokens alike); empty = all.
using Positions = std::vector<int64_t>;
// Batch rows an operation touches; empty = every row. With one operation per row, each copy of a
// batch can be patched or steered at its own positions.
using Rows = std::vector<int64_t>;

// The entries of a hook's tensor an operation reads or changes.
struct Selection {
  Positions positions;
  Rows rows;
};

// One thing done at a hook point: x → what the model goes on with (x itself when nothing changes).
class HookOperation {
 public:
  virtual ~HookOperation() = default;
  virtual torch::Tensor apply(const torch::Tensor& x, const HookContext& context) = 0;
};

using HookCallback = std::function<torch::Tensor(const torch::Tensor& x, const HookContext& context)>;

class HookSet {
 public:
  HookSet() = default;
  HookSet(const HookSet&) = delete;  // capture operations write into this set's storage
  HookSet& operator=(const HookSet&) = delete;

  // Copies x (detached) out; positions keep only those positions (attention scores and patterns:
  // query positions), rows only those batch rows.
  void capture(const HookPoint& point, Positions positions = {}, Rows rows = {});
  // x[r, p] += alpha · vector, vector [d] (or [heads, head_dim] for q/k/v/z, [keys] for attention
  // scores and patterns).
  void add(const HookPoint& point, torch::Tensor vector, double alpha, Positions positions = {}, Rows rows = {});
  // x[r, p] = source[r or 0, p]; source [B or 1, T_source, ...] indexed by absolute position.
  // Positions past the source's end are left alone.
  void replace(const HookPoint& point, torch::Tensor source, Positions positions = {}, Rows rows = {});
  // x[r, p] -= (x·d̂) d̂ with d̂ = direction / ‖direction‖.
  void project_out(const HookPoint& point, torch::Tensor direction, Positions positions = {}, Rows rows = {});
  void callback(const HookPoint& point, HookCallback fn);
  // Any other operation (for example an SAE latent edit, core/intervene/sae_edit.h).
  void add_operation(const HookPoint& point, std::unique_ptr<HookOperation> operation);

  // The LoRA adapter whose updates this run's linear layers add (core/model/lora.h); null: none.
  // clear() keeps it: it changes the weights a run computes with, not what the run hooks.
  void set_adapter(std::shared_ptr<const LoraAdapter> adapter) { adapter_ = std::move(adapter); }
  const LoraAdapter* adapter() const { return adapter_.get(); }

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
  // Forgets what was captured; the capture operations stay registered.
  void clear_captures();

 private:
  std::map<HookPoint, std::vector<std::unique_ptr<HookOperation>>> hooks_;
  std::map<HookPoint, std::vector<torch::Tensor>> captures_;  // written by capture operations
  std::shared_ptr<const LoraAdapter> adapter_;
};

// x with f applied to the selected entries: f gets x[rows][:, positions] (along the hook's
// position axis) and returns new values of that shape. Returns x itself when nothing is selected.
torch::Tensor edit_selection(const torch::Tensor& x, const Selection& selection, const HookContext& context,
                             const std::function<torch::Tensor(const torch::Tensor& selected)>& f);

}  // namespace loupe::model
