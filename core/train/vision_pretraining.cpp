#include "core/train/vision_pretraining.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "core/train/adamw.h"
#include "core/util/epoch_order.h"

namespace loupe::train {

std::vector<LabelTargets> label_targets(const std::vector<io::DatasetRow>& rows, const std::vector<std::string>& columns) {
  std::vector<LabelTargets> labels;
  for (const std::string& column : columns) {
    const bool filled = !rows.empty() && std::all_of(rows.begin(), rows.end(), [&](const io::DatasetRow& row) {
      const auto found = row.labels.find(column);
      return found != row.labels.end() && !found->second.empty();
    });
    if (!filled) continue;
    LabelTargets label{column, {}, {}};
    std::map<std::string, int64_t> index;
    for (const auto& row : rows) index.emplace(row.labels.at(column), 0);
    for (auto& [name, position] : index) {
      position = int64_t(label.classes.size());
      label.classes.push_back(name);
    }
    std::vector<int64_t> targets;
    for (const auto& row : rows) targets.push_back(index.at(row.labels.at(column)));
    label.targets = torch::tensor(targets, torch::kInt64);
    labels.push_back(std::move(label));
  }
  return labels;
}

nlohmann::json pretrain_vision(model::VlmImpl& model, const torch::Tensor& pixels, const std::vector<LabelTargets>& labels,
                               const VisionPretrainingOptions& options, jobs::JobContext& context) {
  if (options.steps < 1 || labels.empty()) return {{"steps", 0}};
  const int64_t rows = pixels.size(0), batch = std::min(options.batch, rows);
  const int64_t width = model.config.text.hidden;  // the projector's output width

  tensor::NamedTensors parameters;
  for (auto& item : model.vision_tower->named_parameters()) parameters.emplace_back("vision_tower." + item.key(), item.value());
  for (auto& item : model.multi_modal_projector->named_parameters())
    parameters.emplace_back("multi_modal_projector." + item.key(), item.value());
  std::vector<torch::nn::Linear> heads;  // one per label, dropped at the end
  for (const auto& label : labels) {
    heads.emplace_back(width, int64_t(label.classes.size()));
    heads.back()->to(model.device());
    parameters.emplace_back("head." + label.column + ".weight", heads.back()->weight);
    parameters.emplace_back("head." + label.column + ".bias", heads.back()->bias);
  }
  AdamW optimizer(parameters, AdamWOptions{});
  util::EpochOrder order(rows, options.seed);
  const auto warmup = std::max<int64_t>(1, options.steps / 20);
  const int64_t tail_from = options.steps - std::max<int64_t>(1, options.steps / 10);

  context.set_stage("pretraining the vision tower");
  std::vector<int64_t> correct(labels.size(), 0), seen(labels.size(), 0);
  double loss_value = 0;
  for (int64_t step = 0; step < options.steps; ++step) {
    context.throw_if_cancelled();
    const torch::Tensor indices = torch::tensor(order.whole_batch(step, batch), torch::kInt64);
    model::HookSet no_hooks;
    const torch::Tensor tokens = model.image_features(pixels.index_select(0, indices), no_hooks);  // [B, tokens, H]
    const torch::Tensor pooled = std::get<0>(tokens.max(1));                                       // [B, H]
    torch::Tensor loss = torch::zeros({}, pooled.options());
    for (size_t l = 0; l < labels.size(); ++l) {
      const torch::Tensor logits = heads[l]->forward(pooled);  // [B, classes]
      const torch::Tensor target = labels[l].targets.index_select(0, indices).to(logits.device());
      loss = loss + torch::nn::functional::cross_entropy(logits, target);
      if (step >= tail_from) {
        correct[l] += (logits.argmax(1) == target).sum().item<int64_t>();
        seen[l] += batch;
      }
    }
    optimizer.zero_grad();
    loss.backward();
    optimizer.step(scheduled_lr(step, options.steps, warmup, options.lr, 0.1));
    loss_value = loss.item<double>();
    context.set_metric("loss", loss_value);
    if ((step + 1) % 50 == 0 || step + 1 == options.steps) {
      std::ostringstream line;
      line << "vision pretraining step " << step + 1 << "/" << options.steps << "  loss " << loss_value;
      context.log(line.str());
    }
    context.advance(1);
  }
  for (auto& item : parameters) item.second.mutable_grad() = torch::Tensor();  // no stale gradients for stage 2
  nlohmann::json accuracy = nlohmann::json::object();
  for (size_t l = 0; l < labels.size(); ++l) accuracy[labels[l].column] = double(correct[l]) / double(seen[l]);
  context.log("vision pretraining done: training accuracy over the last steps " + accuracy.dump());
  return {{"steps", options.steps}, {"loss", loss_value}, {"accuracy", accuracy}};
}

}  // namespace loupe::train
