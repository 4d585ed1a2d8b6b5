#include "core/model/hooks.h"

#include "core/error.h"

namespace loupe::model {

namespace {

// Indices into x's position axis for the absolute positions wanted ([] = every index).
torch::Tensor local_indices(const Positions& positions, const HookContext& context, int64_t length) {
  std::vector<int64_t> local;
  for (int64_t p : positions) {
    const int64_t i = p - context.first_position;
    if (i >= 0 && i < length) local.push_back(i);
  }
  return torch::tensor(local, torch::kInt64);
}

}  // namespace

void HookSet::push(const HookPoint& point, Hook hook) { hooks_[point].push_back(std::move(hook)); }

void HookSet::capture(const HookPoint& point, Positions positions) {
  push(point, Hook{Hook::Kind::Capture, std::move(positions), {}, 0, {}});
}

void HookSet::add(const HookPoint& point, torch::Tensor vector, double alpha, Positions positions) {
  push(point, Hook{Hook::Kind::Add, std::move(positions), std::move(vector), alpha, {}});
}

void HookSet::replace(const HookPoint& point, torch::Tensor source, Positions positions) {
  if (source.dim() < 2) throw InputError("replace at " + hook_name(point) + " needs a source [batch, pos, ...]");
  push(point, Hook{Hook::Kind::Replace, std::move(positions), std::move(source), 0, {}});
}

void HookSet::project_out(const HookPoint& point, torch::Tensor direction, Positions positions) {
  const double norm = direction.norm().item<double>();
  if (!(norm > 0)) throw InputError("project_out at " + hook_name(point) + ": the direction has zero length");
  push(point, Hook{Hook::Kind::ProjectOut, std::move(positions), direction / norm, 0, {}});
}

void HookSet::callback(const HookPoint& point, HookCallback fn) {
  push(point, Hook{Hook::Kind::Callback, {}, {}, 0, std::move(fn)});
}

void HookSet::clear() {
  hooks_.clear();
  captures_.clear();
}

torch::Tensor HookSet::apply(const HookPoint& point, const torch::Tensor& x, const HookContext& context) {
  auto found = hooks_.find(point);
  if (found == hooks_.end()) return x;
  torch::Tensor current = x;
  for (const Hook& hook : found->second) current = run(hook, current, context);
  return current;
}

torch::Tensor HookSet::run(const Hook& hook, const torch::Tensor& x, const HookContext& context) {
  const int64_t axis = position_axis(context.point.site);
  const int64_t length = x.size(axis);
  const bool all = hook.positions.empty();
  torch::Tensor index = all ? torch::Tensor() : local_indices(hook.positions, context, length).to(x.device());
  if (!all && index.numel() == 0 && hook.kind != Hook::Kind::Callback) return x;

  switch (hook.kind) {
    case Hook::Kind::Capture:
      captures_[context.point].push_back((all ? x : x.index_select(axis, index)).detach().clone());
      return x;
    case Hook::Kind::Callback:
      return hook.fn(x, context);
    case Hook::Kind::Add: {
      // q/k/v/z [B, T, heads, head_dim] take a [heads, head_dim] vector; attention maps a [keys] one.
      const bool per_head = x.dim() == 4 && !is_attention_map(context.point.site);
      const int64_t width = x.size(-1) * (per_head ? x.size(-2) : 1);
      if (hook.tensor.numel() != width)
        throw InputError("steering vector for " + hook_name(context.point) + " has " +
                         std::to_string(hook.tensor.numel()) + " values but the hook's width is " + std::to_string(width));
      torch::Tensor delta = (hook.alpha * hook.tensor).to(x.device(), x.scalar_type()).reshape(
          per_head ? std::vector<int64_t>{x.size(-2), x.size(-1)} : std::vector<int64_t>{x.size(-1)});
      if (all) return x + delta;
      torch::Tensor out = x.clone();
      out.index_add_(axis, index, delta.expand_as(x.index_select(axis, index)).contiguous());
      return out;
    }
    case Hook::Kind::Replace: {
      const torch::Tensor& source = hook.tensor;
      std::vector<int64_t> wanted;
      for (int64_t i = 0; i < length; ++i) {
        const int64_t p = context.first_position + i;
        const bool chosen = all || std::find(hook.positions.begin(), hook.positions.end(), p) != hook.positions.end();
        if (chosen && p < source.size(axis)) wanted.push_back(i);
      }
      if (wanted.empty()) return x;
      torch::Tensor local = torch::tensor(wanted, torch::kInt64).to(x.device());
      torch::Tensor from = source.to(x.device(), x.scalar_type()).index_select(axis, local + context.first_position);
      const auto selected = x.index_select(axis, local).sizes();
      if (from.dim() != x.dim() || (from.size(0) != 1 && from.size(0) != x.size(0)) ||
          from.sizes().slice(1) != selected.slice(1))
        throw InputError("replacement source for " + hook_name(context.point) + " has shape " +
                         c10::str(source.sizes()) + ", which does not fit the hook's " + c10::str(x.sizes()));
      from = from.expand(selected);
      torch::Tensor out = x.clone();
      out.index_copy_(axis, local, from);
      return out;
    }
    case Hook::Kind::ProjectOut: {
      torch::Tensor d = hook.tensor.to(x.device(), x.scalar_type());
      if (d.numel() != x.size(-1))
        throw InputError("direction for " + hook_name(context.point) + " has " + std::to_string(d.numel()) +
                         " values but the hook's width is " + std::to_string(x.size(-1)));
      torch::Tensor removed = (x * d).sum(-1, true) * d;
      if (all) return x - removed;
      torch::Tensor out = x.clone();
      out.index_add_(axis, index, -removed.index_select(axis, index));
      return out;
    }
  }
  return x;
}

torch::Tensor HookSet::captured(const HookPoint& point) const {
  const auto& chunks = captured_chunks(point);
  if (is_attention_map(point.site) && chunks.size() > 1)
    throw InputError("attention scores or patterns of several steps have different key lengths; use captured_chunks");
  return torch::cat(chunks, position_axis(point.site));
}

const std::vector<torch::Tensor>& HookSet::captured_chunks(const HookPoint& point) const {
  auto found = captures_.find(point);
  if (found == captures_.end()) throw InputError("nothing was captured at " + hook_name(point));
  return found->second;
}

}  // namespace loupe::model
