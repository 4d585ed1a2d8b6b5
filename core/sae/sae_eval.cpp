#include "core/sae/sae_eval.h"

#include <algorithm>
#include <numeric>

#include "core/error.h"
#include "core/model/hook_names.h"
#include "core/text/token_type.h"
#include "core/train/caption_examples.h"

namespace loupe::sae {

namespace {

// The runs of one batch: the hook clean, reconstructed or zeroed at every selected position, and
// (for the token-type split) reconstructed or zeroed at the selected image positions only, and at
// the selected other positions only.
enum class Condition { Clean, Reconstructed, ZeroAblated, ImageReconstructed, ImageZeroed, TextReconstructed, TextZeroed };
constexpr int kConditions = 7;

bool reconstructs(Condition c) {
  return c == Condition::Reconstructed || c == Condition::ImageReconstructed || c == Condition::TextReconstructed;
}

double fraction_recovered(double clean, double reconstructed, double zero) {
  const double gap = zero - clean;
  return gap != 0 ? (zero - reconstructed) / gap : 0.0;
}

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
  auto language = [](const CaptionLoss& loss) {
    return nlohmann::json{{"clean_loss", loss.clean}, {"sae_loss", loss.reconstructed}, {"zero_ablation_loss", loss.zero_ablated},
                          {"fraction_of_loss_recovered", loss.fraction_recovered}, {"answer_tokens", loss.answer_tokens}};
  };
  auto spliced = [](const SplicedLoss& loss) {
    return nlohmann::json{{"sae_loss", loss.reconstructed}, {"zero_ablation_loss", loss.zero_ablated},
                          {"fraction_of_loss_recovered", loss.fraction_recovered}, {"replaced_positions", loss.positions}};
  };
  nlohmann::json out = {{"clean_loss", clean},
                        {"sae_loss", reconstructed},
                        {"zero_ablation_loss", zero_ablated},
                        {"fraction_of_loss_recovered", fraction_recovered},
                        {"loss_increase", clean > 0 ? (reconstructed - clean) / clean : 0.0},
                        {"explained_variance", explained_variance},
                        {"l0", l0},
                        {"examples", examples},
                        {"answer_tokens", answer_tokens},
                        {"replaced_positions", replaced_positions}};
  out["by_language"] = {{"en", language(english)}, {"ar", language(arabic)}};
  if (split_by_token_type) out["by_spliced_token_type"] = {{"image", spliced(image_only)}, {"text", spliced(text_only)}};
  return out;
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
  double sums[2][kConditions] = {};  // [language][condition]: summed cross-entropy
  int64_t tokens[2] = {0, 0};
  int64_t spliced_positions[2] = {0, 0};  // image, other
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
    const torch::Tensor image_mask = mask & (inputs.token_type_ids == kImageToken);  // [B, T]
    const torch::Tensor text_mask = mask & (inputs.token_type_ids != kImageToken);   // [B, T]
    // Decided on the first batch: every example has the same kinds of positions.
    if (first == 0) result.split_by_token_type = image_mask.any().item<bool>() && text_mask.any().item<bool>();
    spliced_positions[0] += image_mask.sum().item<int64_t>();
    spliced_positions[1] += text_mask.sum().item<int64_t>();
    const torch::Tensor labels = batch.labels.to(device);
    std::vector<int> language_of(indices.size());  // per example: 0 English, 1 Arabic (the index of sums and tokens)
    for (size_t b = 0; b < indices.size(); ++b) language_of[b] = examples.language(indices[b]) == Language::English ? 0 : 1;
    std::vector<Condition> conditions{Condition::Clean, Condition::Reconstructed, Condition::ZeroAblated};
    if (result.split_by_token_type)
      conditions.insert(conditions.end(), {Condition::ImageReconstructed, Condition::ImageZeroed, Condition::TextReconstructed, Condition::TextZeroed});
    for (Condition condition : conditions) {
      const torch::Tensor& where_mask = condition == Condition::ImageReconstructed || condition == Condition::ImageZeroed ? image_mask
                                        : condition == Condition::TextReconstructed || condition == Condition::TextZeroed ? text_mask
                                                                                                                          : mask;
      model::Session session;
      if (condition != Condition::Clean)
        session.hooks.callback(point, [&](const torch::Tensor& x, const model::HookContext&) {
          const torch::Tensor flat = x.reshape({x.size(0), x.size(1), -1});  // [B, T, d_in]
          if (!reconstructs(condition)) return flat.masked_fill(where_mask.unsqueeze(-1), 0).view(x.sizes());
          const torch::Tensor selected = flat.index({where_mask}).to(torch::kFloat32);  // [n, d_in]
          if (selected.size(0) == 0) return x;
          const torch::Tensor codes = on_device.encode(selected);          // [n, d_sae]
          const torch::Tensor reconstruction = on_device.decode(codes);    // [n, d_in]
          if (condition == Condition::Reconstructed) {  // the hook's statistics, once per position
            statistics.squared_error += (reconstruction - selected).pow(2).sum().item<double>();
            statistics.sum_squares += selected.pow(2).sum().item<double>();
            statistics.sum += selected.sum(0).cpu().to(torch::kFloat64);
            statistics.count += selected.size(0);
            statistics.active += (codes != 0).sum().item<double>();
          }
          torch::Tensor replaced = flat.clone();  // [B, T, d_in]
          replaced.index_put_({where_mask}, reconstruction.to(x.scalar_type()));
          return replaced.view(x.sizes());
        });
      const torch::Tensor logits = model.forward(inputs, session);  // [B, T, vocab]
      const torch::Tensor per_token = torch::nn::functional::cross_entropy(
          logits.reshape({-1, logits.size(-1)}).to(torch::kFloat32), labels.reshape({-1}),
          torch::nn::functional::CrossEntropyFuncOptions().ignore_index(train::kIgnoreLabel).reduction(torch::kNone));  // [B*T], 0 where ignored
      const torch::Tensor per_example = per_token.view({labels.size(0), labels.size(1)}).to(torch::kFloat64).sum(1).cpu();  // [B]
      for (size_t b = 0; b < indices.size(); ++b)
        sums[language_of[b]][int(condition)] += per_example[int64_t(b)].item<double>();
    }
    const torch::Tensor answer_tokens = (batch.labels != train::kIgnoreLabel).sum(1);  // [B]
    for (size_t b = 0; b < indices.size(); ++b)
      tokens[language_of[b]] += answer_tokens[int64_t(b)].item<int64_t>();
    result.examples += int64_t(indices.size());
    job.advance(int64_t(indices.size()));
  }
  result.answer_tokens = tokens[0] + tokens[1];
  auto mean = [&](int c, std::initializer_list<int> languages) {
    double sum = 0;
    int64_t count = 0;
    for (int l : languages) {
      sum += sums[l][c];
      count += tokens[l];
    }
    return sum / double(std::max<int64_t>(1, count));
  };
  auto loss_over = [&](std::initializer_list<int> languages) {
    CaptionLoss loss;
    loss.clean = mean(int(Condition::Clean), languages);
    loss.reconstructed = mean(int(Condition::Reconstructed), languages);
    loss.zero_ablated = mean(int(Condition::ZeroAblated), languages);
    loss.fraction_recovered = fraction_recovered(loss.clean, loss.reconstructed, loss.zero_ablated);
    for (int l : languages) loss.answer_tokens += tokens[l];
    return loss;
  };
  const CaptionLoss all = loss_over({0, 1});
  result.clean = all.clean;
  result.reconstructed = all.reconstructed;
  result.zero_ablated = all.zero_ablated;
  result.fraction_recovered = all.fraction_recovered;
  result.english = loss_over({0});
  result.arabic = loss_over({1});
  if (result.split_by_token_type) {
    auto spliced = [&](Condition reconstructed, Condition zeroed, int64_t positions) {
      SplicedLoss loss;
      loss.reconstructed = mean(int(reconstructed), {0, 1});
      loss.zero_ablated = mean(int(zeroed), {0, 1});
      loss.fraction_recovered = fraction_recovered(result.clean, loss.reconstructed, loss.zero_ablated);
      loss.positions = positions;
      return loss;
    };
    result.image_only = spliced(Condition::ImageReconstructed, Condition::ImageZeroed, spliced_positions[0]);
    result.text_only = spliced(Condition::TextReconstructed, Condition::TextZeroed, spliced_positions[1]);
  }
  result.explained_variance = statistics.explained_variance();
  result.l0 = statistics.count > 0 ? statistics.active / double(statistics.count) : 0.0;
  result.replaced_positions = statistics.count;
  return result;
}

}  // namespace loupe::sae
