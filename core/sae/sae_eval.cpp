#include "core/sae/sae_eval.h"

#include <algorithm>
#include <numeric>

#include "core/error.h"
#include "core/model/hook_names.h"
#include "core/text/token_type.h"
#include "core/train/caption_examples.h"

namespace loupe::sae {

namespace {

enum class Condition { Clean, Reconstructed, ZeroAblated };

// [B, T] bool: the positions the SAE acts on. Each example's token types, as a store marks them:
// answer tokens (those whose predecessor has a label) but the final <end_of_turn> are the caption's
// text, the prompt's image placeholders image, the rest template; padding has no type.
torch::Tensor position_mask(const train::CaptionBatch& batch, const PositionSelector& selector) {
  const torch::Tensor labels = batch.labels.contiguous();                                          // [B, T]
  const torch::Tensor image = (batch.inputs.token_type_ids == kImageToken).to(torch::kCPU).contiguous();  // [B, T]
  const int64_t rows = labels.size(0), length = labels.size(1);
  auto label_at = labels.accessor<int64_t, 2>();
  auto image_at = image.accessor<bool, 2>();
  torch::Tensor mask = torch::zeros({rows, length}, torch::kBool);
  auto mask_at = mask.accessor<bool, 2>();
  for (int64_t b = 0; b < rows; ++b) {
    int64_t last = -1;  // the last answer token
    for (int64_t t = 1; t < length; ++t)
      if (label_at[b][t - 1] != train::kIgnoreLabel) last = t;
    std::vector<int8_t> types(size_t(last + 1), kTemplateToken);  // the example's own positions, no padding
    for (int64_t t = 0; t <= last; ++t) {
      if (image_at[b][t]) types[size_t(t)] = kImageToken;
      else if (t < last && t > 0 && label_at[b][t - 1] != train::kIgnoreLabel) types[size_t(t)] = kTextToken;
    }
    for (int64_t p : select_positions(selector, types)) mask_at[b][p] = true;
  }
  return mask;
}

struct HookStatistics {
  double squared_error = 0, sum_squares = 0, active = 0;
  torch::Tensor sum;  // [d] float64
  int64_t count = 0;

  double explained_variance() const {
    if (count == 0) return 0;
    const double total = sum_squares - sum.pow(2).sum().item<double>() / double(count);
    return total > 0 ? 1.0 - squared_error / total : 0.0;
  }
};

}  // namespace

nlohmann::json CaptionLossResult::to_json() const {
  return {{"clean_loss", clean},
          {"sae_loss", reconstructed},
          {"zero_ablation_loss", zero_ablated},
          {"fraction_of_loss_recovered", fraction_recovered},
          {"loss_increase", clean > 0 ? (reconstructed - clean) / clean : 0.0},
          {"explained_variance", explained_variance},
          {"l0", l0},
          {"examples", examples},
          {"answer_tokens", answer_tokens},
          {"replaced_positions", replaced_positions}};
}

CaptionLossResult caption_loss_with_sae(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                                        const io::Dataset& dataset, const Sae& sae, const CaptionLossOptions& options,
                                        jobs::JobContext& job) {
  torch::NoGradGuard no_grad;
  require_positions(options.positions, kCaptionLossPositions);
  if (sae.config.hook_name.empty())
    throw InputError("the SAE names no hook (cfg.json hook_name); loupe cannot tell where to splice it in");
  const model::HookPoint point = model::parse_hook(sae.config.hook_name, model.config);
  const int64_t width = model::hook_width(point, model.config);
  if (width != sae.config.d_in)
    throw InputError("the SAE's d_in is " + std::to_string(sae.config.d_in) + " but the model's " +
                     sae.config.hook_name + " has width " + std::to_string(width) + "; it belongs to another model");
  if (options.batch < 1) throw InputError("the evaluation batch must hold at least one example");

  const train::CaptionExamples examples(train::rows_in_split(dataset, options.split, options.rows), tokenizer, model.config);
  const Sae on_device = sae.to(model.device());
  const torch::Device device = model.device();
  CaptionLossResult result;
  double loss_sums[3] = {0, 0, 0};
  HookStatistics statistics;
  statistics.sum = torch::zeros({sae.config.d_in}, torch::kFloat64);
  job.set_stage("clean, reconstructed and zero-ablated runs");
  job.set_total(examples.size());

  for (int64_t first = 0; first < examples.size(); first += options.batch) {
    job.throw_if_cancelled();
    std::vector<int64_t> indices(size_t(std::min(options.batch, examples.size() - first)));
    std::iota(indices.begin(), indices.end(), first);
    const train::CaptionBatch batch = examples.batch(indices);
    const torch::Tensor mask = position_mask(batch, options.positions).to(device);  // [B, T]
    model::VlmInputs inputs = batch.inputs;
    inputs.input_ids = inputs.input_ids.to(device);
    inputs.token_type_ids = inputs.token_type_ids.to(device);
    inputs.pixel_values = inputs.pixel_values.to(device, model.dtype());
    const torch::Tensor labels = batch.labels.to(device);
    for (Condition condition : {Condition::Clean, Condition::Reconstructed, Condition::ZeroAblated}) {
      model::Session session;
      if (condition != Condition::Clean)
        session.hooks.callback(point, [&](const torch::Tensor& x, const model::HookContext&) {
          const torch::Tensor flat = x.reshape({x.size(0), x.size(1), -1});  // [B, T, d_in]
          const torch::Tensor where = mask.unsqueeze(-1);
          if (condition == Condition::ZeroAblated) return flat.masked_fill(where, 0).view(x.sizes());
          const torch::Tensor selected = flat.index({mask}).to(torch::kFloat32);  // [n, d_in]
          if (selected.size(0) == 0) return x;
          const torch::Tensor codes = on_device.encode(selected);          // [n, d_sae]
          const torch::Tensor reconstruction = on_device.decode(codes);    // [n, d_in]
          statistics.squared_error += (reconstruction - selected).pow(2).sum().item<double>();
          statistics.sum_squares += selected.pow(2).sum().item<double>();
          statistics.sum += selected.sum(0).cpu().to(torch::kFloat64);
          statistics.count += selected.size(0);
          statistics.active += (codes != 0).sum().item<double>();
          torch::Tensor replaced = flat.clone();  // [B, T, d_in]
          replaced.index_put_({mask}, reconstruction.to(x.scalar_type()));
          return replaced.view(x.sizes());
        });
      const torch::Tensor logits = model.forward(inputs, session);  // [B, T, vocab]
      loss_sums[int(condition)] += torch::nn::functional::cross_entropy(
                                       logits.reshape({-1, logits.size(-1)}).to(torch::kFloat32), labels.reshape({-1}),
                                       torch::nn::functional::CrossEntropyFuncOptions()
                                           .ignore_index(train::kIgnoreLabel)
                                           .reduction(torch::kSum))
                                       .item<double>();
    }
    result.answer_tokens += (batch.labels != train::kIgnoreLabel).sum().item<int64_t>();
    result.examples += int64_t(indices.size());
    job.advance(int64_t(indices.size()));
  }
  const double tokens = double(std::max<int64_t>(1, result.answer_tokens));
  result.clean = loss_sums[0] / tokens;
  result.reconstructed = loss_sums[1] / tokens;
  result.zero_ablated = loss_sums[2] / tokens;
  const double gap = result.zero_ablated - result.clean;
  result.fraction_recovered = gap != 0 ? (result.zero_ablated - result.reconstructed) / gap : 0.0;
  result.explained_variance = statistics.explained_variance();
  result.l0 = statistics.count > 0 ? statistics.active / double(statistics.count) : 0.0;
  result.replaced_positions = statistics.count;
  return result;
}

}  // namespace loupe::sae
