#include "core/model/hooks.h"

#include "core/error.h"

namespace loupe::model {

namespace {

// Indices into x's position axis for the absolute positions wanted.
torch::Tensor local_indices(const Positions& positions, const HookContext& context, int64_t length) {
  std::vector<int64_t> local;
  for (int64_t p : positions) {
    const int64_t i = p - context.first_position;
    if (i >= 0 && i < length) local.push_back(i);
  }
  return torch::tensor(local, torch::kInt64);
}

torch::Tensor row_indices(const Rows& rows, const HookContext& context, int64_t batch) {
  for (int64_t r : rows)
    if (r < 0 || r >= batch)
      throw InputError("a hook at " + hook_name(context.point) + " names batch row " + std::to_string(r) +
                       " but the batch has " + std::to_string(batch) + " rows");
  return torch::tensor(rows, torch::kInt64);
}

class Capture final : public HookOperation {
 public:
  Capture(Selection selection, std::vector<torch::Tensor>& chunks) : selection_(std::move(selection)), chunks_(chunks) {}
  torch::Tensor apply(const torch::Tensor& x, const HookContext& context) override {
    edit_selection(x, selection_, context, [&](const torch::Tensor& selected) {
      chunks_.push_back(selected.detach().clone());
      return selected;
    });
    return x;
  }

 private:
  Selection selection_;
  std::vector<torch::Tensor>& chunks_;
};

class Add final : public HookOperation {
 public:
  Add(torch::Tensor vector, double alpha, Selection selection)
      : vector_(std::move(vector)), alpha_(alpha), selection_(std::move(selection)) {}
  torch::Tensor apply(const torch::Tensor& x, const HookContext& context) override {
    // q/k/v/z [B, T, heads, head_dim] take a [heads, head_dim] vector; attention maps a [keys] one.
    const bool per_head = x.dim() == 4 && site_traits(context.point.site).per_head;
    const int64_t width = x.size(-1) * (per_head ? x.size(-2) : 1);
    if (vector_.numel() != width)
      throw InputError("steering vector for " + hook_name(context.point) + " has " + std::to_string(vector_.numel()) +
                       " values but the hook's width is " + std::to_string(width));
    const torch::Tensor delta = (alpha_ * vector_).to(x.device(), x.scalar_type()).reshape(
        per_head ? std::vector<int64_t>{x.size(-2), x.size(-1)} : std::vector<int64_t>{x.size(-1)});
    return edit_selection(x, selection_, context, [&](const torch::Tensor& selected) { return selected + delta; });
  }

 private:
  torch::Tensor vector_;
  double alpha_;
  Selection selection_;
};

class Replace final : public HookOperation {
 public:
  Replace(torch::Tensor source, Selection selection) : source_(std::move(source)), selection_(std::move(selection)) {}
  torch::Tensor apply(const torch::Tensor& x, const HookContext& context) override {
    const int64_t axis = position_axis(context.point.site);
    // The chosen positions the source holds.
    Selection present{{}, selection_.rows};
    for (int64_t i = 0; i < x.size(axis); ++i) {
      const int64_t p = context.first_position + i;
      const bool chosen = selection_.positions.empty() ||
                          std::find(selection_.positions.begin(), selection_.positions.end(), p) != selection_.positions.end();
      if (chosen && p < source_.size(axis)) present.positions.push_back(p);
    }
    if (present.positions.empty()) return x;
    const bool fits = source_.dim() == x.dim() && (source_.size(0) == 1 || source_.size(0) == x.size(0)) &&
                      source_.sizes().slice(axis + 1) == x.sizes().slice(axis + 1) &&
                      source_.sizes().slice(1, axis - 1) == x.sizes().slice(1, axis - 1);
    if (!fits)
      throw InputError("replacement source for " + hook_name(context.point) + " has shape " + c10::str(source_.sizes()) +
                       ", which does not fit the hook's " + c10::str(x.sizes()));
    torch::Tensor from = source_.to(x.device(), x.scalar_type())
                             .index_select(axis, torch::tensor(present.positions, torch::kInt64).to(x.device()));
    if (from.size(0) > 1 && !present.rows.empty()) from = from.index_select(0, torch::tensor(present.rows).to(x.device()));
    return edit_selection(x, present, context, [&](const torch::Tensor& selected) { return from.expand_as(selected); });
  }

 private:
  torch::Tensor source_;
  Selection selection_;
};

class ProjectOut final : public HookOperation {
 public:
  ProjectOut(torch::Tensor unit, Selection selection) : unit_(std::move(unit)), selection_(std::move(selection)) {}
  torch::Tensor apply(const torch::Tensor& x, const HookContext& context) override {
    const torch::Tensor d = unit_.to(x.device(), x.scalar_type());
    if (d.numel() != x.size(-1))
      throw InputError("direction for " + hook_name(context.point) + " has " + std::to_string(d.numel()) +
                       " values but the hook's width is " + std::to_string(x.size(-1)));
    return edit_selection(x, selection_, context,
                          [&](const torch::Tensor& selected) { return selected - (selected * d).sum(-1, true) * d; });
  }

 private:
  torch::Tensor unit_;
  Selection selection_;
};

class Callback final : public HookOperation {
 public:
  explicit Callback(HookCallback fn) : fn_(std::move(fn)) {}
  torch::Tensor apply(const torch::Tensor& x, const HookContext& context) override { return fn_(x, context); }

 private:
  HookCallback fn_;
};

}  // namespace

torch::Tensor edit_selection(const torch::Tensor& x, const Selection& selection, const HookContext& context,
                             const std::function<torch::Tensor(const torch::Tensor& selected)>& f) {
  const int64_t axis = position_axis(context.point.site);
  const bool all_positions = selection.positions.empty(), all_rows = selection.rows.empty();
  if (all_positions && all_rows) return f(x);
  const torch::Tensor positions =
      all_positions ? torch::Tensor() : local_indices(selection.positions, context, x.size(axis)).to(x.device());
  if (!all_positions && positions.numel() == 0) return x;
  const torch::Tensor rows = all_rows ? torch::Tensor() : row_indices(selection.rows, context, x.size(0)).to(x.device());

  const torch::Tensor in_rows = all_rows ? x : x.index_select(0, rows);                   // [R, ...]
  const torch::Tensor selected = all_positions ? in_rows : in_rows.index_select(axis, positions);  // [R, P, ...]
  const torch::Tensor changed = f(selected);
  if (changed.data_ptr() == selected.data_ptr() && changed.sizes() == selected.sizes()) return x;
  torch::Tensor new_rows = all_positions ? changed : in_rows.clone().index_copy_(axis, positions, changed.contiguous());
  return all_rows ? new_rows : x.clone().index_copy_(0, rows, new_rows);
}

void HookSet::capture(const HookPoint& point, Positions positions, Rows rows) {
  add_operation(point, std::make_unique<Capture>(Selection{std::move(positions), std::move(rows)}, captures_[point]));
}

void HookSet::add(const HookPoint& point, torch::Tensor vector, double alpha, Positions positions, Rows rows) {
  add_operation(point, std::make_unique<Add>(std::move(vector), alpha, Selection{std::move(positions), std::move(rows)}));
}

void HookSet::replace(const HookPoint& point, torch::Tensor source, Positions positions, Rows rows) {
  if (source.dim() < 2) throw InputError("replace at " + hook_name(point) + " needs a source [batch, pos, ...]");
  add_operation(point, std::make_unique<Replace>(std::move(source), Selection{std::move(positions), std::move(rows)}));
}

void HookSet::project_out(const HookPoint& point, torch::Tensor direction, Positions positions, Rows rows) {
  const double norm = direction.norm().item<double>();
  if (!(norm > 0)) throw InputError("project_out at " + hook_name(point) + ": the direction has zero length");
  add_operation(point, std::make_unique<ProjectOut>(direction / norm, Selection{std::move(positions), std::move(rows)}));
}

void HookSet::callback(const HookPoint& point, HookCallback fn) {
  add_operation(point, std::make_unique<Callback>(std::move(fn)));
}

void HookSet::add_operation(const HookPoint& point, std::unique_ptr<HookOperation> operation) {
  hooks_[point].push_back(std::move(operation));
}

void HookSet::clear() {
  hooks_.clear();
  captures_.clear();
}

void HookSet::clear_captures() {
  for (auto& [point, chunks] : captures_) chunks.clear();
}

torch::Tensor HookSet::apply(const HookPoint& point, const torch::Tensor& x, const HookContext& context) {
  auto found = hooks_.find(point);
  if (found == hooks_.end()) return x;
  torch::Tensor current = x;
  for (const auto& operation : found->second) current = operation->apply(current, context);
  return current;
}

torch::Tensor HookSet::captured(const HookPoint& point) const {
  const auto& chunks = captured_chunks(point);
  if (is_attention_map(point.site) && chunks.size() > 1)
    throw InputError("attention scores or patterns of several steps have different key lengths; use captured_chunks");
  return torch::cat(chunks, position_axis(point.site));
}

const std::vector<torch::Tensor>& HookSet::captured_chunks(const HookPoint& point) const {
  auto found = captures_.find(point);
  if (found == captures_.end() || found->second.empty()) throw InputError("nothing was captured at " + hook_name(point));
  return found->second;
}

}  // namespace loupe::model
