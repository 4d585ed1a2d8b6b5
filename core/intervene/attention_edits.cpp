#include "core/intervene/attention_edits.h"

#include <limits>

#include "core/error.h"

namespace loupe::intervene {

namespace {

class HeadAblation final : public model::HookOperation {
 public:
  HeadAblation(std::vector<int64_t> heads, torch::Tensor means, model::Selection selection)
      : heads_(std::move(heads)), means_(std::move(means)), selection_(std::move(selection)) {}

  torch::Tensor apply(const torch::Tensor& x, const model::HookContext& context) override {
    const int64_t count = x.size(2);  // x [B, T, heads, head_dim]
    for (int64_t head : heads_)
      if (head < 0 || head >= count)
        throw InputError("head " + std::to_string(head) + " is outside the " + std::to_string(count) + " heads of " +
                         model::hook_name(context.point));
    return model::edit_selection(x, selection_, context, [&](const torch::Tensor& selected) {
      torch::Tensor edited = selected.clone();  // [rows, positions, heads, head_dim]
      for (int64_t head : heads_) {
        torch::Tensor slot = edited.select(2, head);
        if (means_.defined()) slot.copy_(means_[head].to(slot.device(), slot.scalar_type()).expand_as(slot));
        else slot.zero_();
      }
      return edited;
    });
  }

 private:
  std::vector<int64_t> heads_;
  torch::Tensor means_;
  model::Selection selection_;
};

class AttentionKnockout final : public model::HookOperation {
 public:
  AttentionKnockout(std::vector<int64_t> keys, model::Selection queries) : keys_(std::move(keys)), queries_(std::move(queries)) {}

  torch::Tensor apply(const torch::Tensor& x, const model::HookContext& context) override {
    const int64_t key_count = x.size(3);  // x [B, heads, query, key]
    if (key_count < context.first_position + x.size(2))
      throw InputError("attention knockout at " + model::hook_name(context.point) +
                       ": this layer's keys no longer start at position 0 (a sliding window shorter than the sequence)");
    std::vector<int64_t> present;
    for (int64_t key : keys_)
      if (key < key_count) present.push_back(key);
    if (present.empty()) return x;
    const torch::Tensor index = torch::tensor(present, torch::kInt64).to(x.device());
    return model::edit_selection(x, queries_, context, [&](const torch::Tensor& selected) {
      return selected.index_fill(3, index, -std::numeric_limits<float>::infinity());
    });
  }

 private:
  std::vector<int64_t> keys_;
  model::Selection queries_;
};

}  // namespace

std::unique_ptr<model::HookOperation> head_ablation(std::vector<int64_t> heads, torch::Tensor means,
                                                    model::Selection selection) {
  if (heads.empty()) throw InputError("a head ablation needs at least one head");
  if (means.defined() && means.dim() != 2) throw InputError("head means are [heads, head_dim]");
  return std::make_unique<HeadAblation>(std::move(heads), std::move(means), std::move(selection));
}

std::unique_ptr<model::HookOperation> attention_knockout(std::vector<int64_t> keys, model::Selection queries) {
  if (keys.empty()) throw InputError("an attention knockout needs at least one key position (the image tokens)");
  return std::make_unique<AttentionKnockout>(std::move(keys), std::move(queries));
}

}  // namespace loupe::intervene
