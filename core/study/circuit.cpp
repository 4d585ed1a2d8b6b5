#include "core/study/circuit.h"

#include <cmath>

#include "core/error.h"
#include "core/intervene/attention_edits.h"
#include "core/model/inputs.h"
#include "core/study/caption_prompts.h"
#include "core/study/gendered_prefix.h"

namespace loupe::study {

std::string component_name(const CircuitComponent& component) {
  return "L" + std::to_string(component.layer) + (component.head < 0 ? ".MLP" : ".H" + std::to_string(component.head));
}

namespace {

using Components = std::vector<CircuitComponent>;

// One (image, language): the prompt and the caption before its first gendered word.
struct GenderEntry {
  model::VlmInputs inputs;  // [1, T]
  int64_t female_id = 0, male_id = 0;
  double sign = 1;  // +1: the caption says the female word; −1: the male one
};

struct MeanOutputs {
  std::vector<torch::Tensor> z;    // per layer [heads, head_dim]: hook_z's mean
  std::vector<torch::Tensor> mlp;  // per layer [hidden]: hook_mlp_out's mean
};

void check_request(const CircuitRequest& request) {
  if (!std::isfinite(request.threshold) || request.threshold < 0)
    throw InputError("--threshold must be a number >= 0, got " + std::to_string(request.threshold));
  if (request.batch < 1) throw InputError("--batch must be at least 1, got " + std::to_string(request.batch));
}

std::vector<GenderEntry> gender_entries(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                                        const std::vector<DatasetImage>& images, const CircuitRequest& request,
                                        jobs::JobContext& job) {
  job.set_stage("captioning " + std::to_string(images.size()) + " images");
  std::vector<GenderEntry> entries;
  for_each_caption_prompt(model, tokenizer, images, request.langs, &job, [&](const DatasetImage&, Language lang,
                                                                            const torch::Tensor& pixels,
                                                                            const model::VlmInputs& prompt) {
    const GenderedPrefix prefix = gendered_prefix(model, tokenizer, prompt, pixels, {lang, request.max_new_tokens, &job});
    if (!prefix.gendered) return;
    entries.push_back({prefix.inputs, prefix.gendered->female_id, prefix.gendered->male_id, prefix.says_female() ? 1.0 : -1.0});
  });
  if (entries.empty())
    throw InputError("no caption of these images names a gendered word with a one-token counterpart: nothing to prune for");
  return entries;
}

MeanOutputs mean_outputs(const model::VlmImpl& model, const std::vector<GenderEntry>& entries) {
  torch::NoGradGuard no_grad;
  const int64_t layers = model.config.text.layers;
  MeanOutputs sums{std::vector<torch::Tensor>(static_cast<size_t>(layers)), std::vector<torch::Tensor>(static_cast<size_t>(layers))};
  int64_t positions = 0;
  for (const GenderEntry& entry : entries) {
    model::Session session;
    for (int64_t l = 0; l < layers; ++l) {
      session.hooks.capture({model::Site::Z, l, false});
      session.hooks.capture({model::Site::MlpOut, l, false});
    }
    model.forward(entry.inputs, session);
    for (int64_t l = 0; l < layers; ++l) {
      const torch::Tensor z = session.hooks.captured({model::Site::Z, l, false})[0].to(torch::kFloat64).sum(0);  // [H, hd]
      const torch::Tensor mlp = session.hooks.captured({model::Site::MlpOut, l, false})[0].to(torch::kFloat64).sum(0);  // [hidden]
      sums.z[size_t(l)] = sums.z[size_t(l)].defined() ? sums.z[size_t(l)] + z : z;
      sums.mlp[size_t(l)] = sums.mlp[size_t(l)].defined() ? sums.mlp[size_t(l)] + mlp : mlp;
    }
    positions += entry.inputs.input_ids.size(1);
  }
  for (int64_t l = 0; l < layers; ++l) {
    sums.z[size_t(l)] = (sums.z[size_t(l)] / double(positions)).to(model.dtype());
    sums.mlp[size_t(l)] = (sums.mlp[size_t(l)] / double(positions)).to(model.dtype());
  }
  return sums;
}

// Batch row `row` of a run of `length` tokens with `ablated` set to its means.
void add_mean_ablation(model::HookSet& hooks, const Components& ablated, const MeanOutputs& means, int64_t row,
                       int64_t length) {
  std::map<int64_t, std::vector<int64_t>> heads;  // layer → heads
  for (const CircuitComponent& c : ablated) {
    if (c.head >= 0) {
      heads[c.layer].push_back(c.head);
      continue;
    }
    const torch::Tensor mean = means.mlp[size_t(c.layer)].view({1, 1, -1}).expand({1, length, -1});  // [1, T, hidden]
    hooks.replace({model::Site::MlpOut, c.layer, false}, mean, {}, {row});
  }
  for (auto& [layer, list] : heads)
    hooks.add_operation({model::Site::Z, layer, false},
                        intervene::head_ablation(list, means.z[size_t(layer)], {{}, {row}}));
}

// The metric with each of `sets` ablated: one forward pass an entry and a batch of sets.
std::vector<double> metrics_of(const model::VlmImpl& model, const std::vector<GenderEntry>& entries,
                               const MeanOutputs& means, const std::vector<Components>& sets, int64_t batch,
                               jobs::JobContext& job) {
  torch::NoGradGuard no_grad;
  std::vector<double> metrics(sets.size(), 0.0);
  for (const GenderEntry& entry : entries)
    for (size_t first = 0; first < sets.size(); first += size_t(batch)) {
      job.throw_if_cancelled();
      const int64_t copies = std::min<int64_t>(batch, int64_t(sets.size() - first));
      model::Session session;
      for (int64_t r = 0; r < copies; ++r)
        add_mean_ablation(session.hooks, sets[first + size_t(r)], means, r, entry.inputs.input_ids.size(1));
      const torch::Tensor logits = model.forward(model::repeated_inputs(entry.inputs, copies), session).select(1, -1);
      const torch::Tensor signed_diff =
          (entry.sign * (logits.select(-1, entry.female_id) - logits.select(-1, entry.male_id))).to(torch::kCPU, torch::kFloat64);
      for (int64_t r = 0; r < copies; ++r) metrics[first + size_t(r)] += signed_diff[r].item<double>();
    }
  for (double& metric : metrics) metric /= double(entries.size());
  return metrics;
}

Components all_components(const io::ModelConfig& config) {
  Components components;
  for (int64_t l = 0; l < config.text.layers; ++l) {
    for (int64_t h = 0; h < config.text.heads; ++h) components.push_back({l, h});
    components.push_back({l, -1});
  }
  return components;
}

util::Table circuit_table(const Circuit& circuit, const Components& components) {
  using util::ColumnType;
  util::Table table({{"component", ColumnType::Text},
                     {"kind", ColumnType::Text},
                     {"layer", ColumnType::Integer},
                     {"head", ColumnType::Integer},
                     {"kept", ColumnType::Integer},
                     {"step", ColumnType::Integer},
                     {"metric", ColumnType::Real},
                     {"effect", ColumnType::Real}});
  for (const CircuitComponent& c : components) {
    std::vector<util::Cell> row = {component_name(c), std::string(c.head < 0 ? "mlp" : "head"), c.layer,
                                   c.head < 0 ? util::Cell() : util::Cell(c.head)};
    const auto kept = std::find(circuit.kept.begin(), circuit.kept.end(), c);
    if (kept != circuit.kept.end()) {
      row.insert(row.end(), {int64_t(1), util::Cell(), util::Cell(), circuit.kept_effect[size_t(kept - circuit.kept.begin())]});
    } else {
      size_t step = 0;
      while (!(circuit.pruned[step].component == c)) ++step;
      row.insert(row.end(), {int64_t(0), int64_t(step + 1), circuit.pruned[step].metric, util::Cell()});
    }
    table.add_row(row);
  }
  return table;
}

nlohmann::json circuit_graph(const Circuit& circuit, int64_t layers) {
  nlohmann::json nodes = nlohmann::json::array(), edges = nlohmann::json::array();
  struct Node {
    std::string id;
    int64_t layer;
    int order;  // within a layer: heads (0) before the MLP (1)
  };
  std::vector<Node> order = {{"embed", -1, 0}};
  nodes.push_back({{"id", "embed"}, {"kind", "embed"}, {"layer", -1}});
  for (size_t i = 0; i < circuit.kept.size(); ++i) {
    const CircuitComponent& c = circuit.kept[i];
    const std::string id = component_name(c);
    nodes.push_back({{"id", id}, {"kind", c.head < 0 ? "mlp" : "head"}, {"layer", c.layer},
                     {"head", c.head < 0 ? nlohmann::json() : nlohmann::json(c.head)}, {"effect", circuit.kept_effect[i]}});
    order.push_back({id, c.layer, c.head < 0 ? 1 : 0});
  }
  nodes.push_back({{"id", "logits"}, {"kind", "logits"}, {"layer", layers}});
  order.push_back({"logits", layers, 0});
  for (const Node& from : order)
    for (const Node& to : order)
      if (from.layer < to.layer || (from.layer == to.layer && from.order < to.order)) edges.push_back({from.id, to.id});
  return {{"nodes", nodes}, {"edges", edges}};
}

}  // namespace

Circuit prune_circuit(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                      const std::vector<DatasetImage>& images, const CircuitRequest& request, jobs::JobContext& job) {
  check_request(request);
  const std::vector<GenderEntry> entries = gender_entries(model, tokenizer, images, request, job);
  const MeanOutputs means = mean_outputs(model, entries);
  const Components components = all_components(model.config);

  Circuit circuit;
  circuit.entries = int64_t(entries.size());
  circuit.full_metric = metrics_of(model, entries, means, {{}}, 1, job)[0];
  const double tolerance = request.threshold * std::abs(circuit.full_metric);
  job.set_stage("pruning " + std::to_string(components.size()) + " components");
  job.restart_count(int64_t(components.size()));
  Components pruned, remaining = components;
  double current = circuit.full_metric;
  std::vector<double> candidate_metrics;  // the last round's: each remaining component ablated on top
  while (!remaining.empty()) {
    std::vector<Components> sets;
    for (const CircuitComponent& c : remaining) {
      sets.push_back(pruned);
      sets.back().push_back(c);
    }
    candidate_metrics = metrics_of(model, entries, means, sets, request.batch, job);
    size_t best = 0;
    for (size_t i = 1; i < remaining.size(); ++i)
      if (std::abs(candidate_metrics[i] - circuit.full_metric) < std::abs(candidate_metrics[best] - circuit.full_metric)) best = i;
    if (std::abs(candidate_metrics[best] - circuit.full_metric) > tolerance) break;
    current = candidate_metrics[best];
    circuit.pruned.push_back({remaining[best], current});
    pruned.push_back(remaining[best]);
    remaining.erase(remaining.begin() + int64_t(best));
    candidate_metrics.clear();
    job.advance(1, component_name(pruned.back()));
  }
  circuit.pruned_metric = current;
  circuit.kept = remaining;
  for (double metric : candidate_metrics) circuit.kept_effect.push_back(metric - current);
  circuit.table = circuit_table(circuit, components);
  circuit.graph = circuit_graph(circuit, model.config.text.layers);
  return circuit;
}

double circuit_metric(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                      const std::vector<DatasetImage>& images, const CircuitRequest& request,
                      const std::vector<CircuitComponent>& ablated, jobs::JobContext& job) {
  check_request(request);
  const std::vector<GenderEntry> entries = gender_entries(model, tokenizer, images, request, job);
  return metrics_of(model, entries, mean_outputs(model, entries), {ablated}, 1, job)[0];
}

}  // namespace loupe::study
