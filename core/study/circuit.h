// Circuits by iterative pruning (`loupe circuit`, the seed toolkit's iterative_pruning): which
// attention heads and MLPs the model needs to state the figure's gender. Each image is captioned
// in each language; at the caption's first gendered word the prompt and the caption before it are
// teacher-forced, and the metric is the mean over these entries of the signed gender logit
// difference, s · (logit(female word) − logit(male word)) with s = +1 when the caption says the
// female word, −1 when the male one. Components are mean-ablated (a head's hook_z, an MLP's
// hook_mlp_out set to its mean over every position of the entries). Starting from the full model,
// each round ablates, on top of those already pruned, each remaining component in turn and prunes
// the one that moves the metric least, while the metric stays within `threshold` · |full metric|
// of the full model's; the components left form the circuit.
#pragma once
#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/jobs/job.h"
#include "core/model/vlm.h"
#include "core/study/dataset_image.h"
#include "core/text/tokenizer.h"
#include "core/util/language.h"
#include "core/util/table.h"

namespace loupe::study {

struct CircuitComponent {
  int64_t layer = 0;
  int64_t head = -1;  // -1: the layer's MLP
  bool operator==(const CircuitComponent& other) const { return layer == other.layer && head == other.head; }
};
std::string component_name(const CircuitComponent& component);  // "L1.H2", "L3.MLP"

struct CircuitRequest {
  std::vector<Language> langs = {Language::English, Language::Arabic};
  double threshold = 0.1;  // the pruned metric stays within threshold · |full metric| of it
  int64_t max_new_tokens = 24;
  int64_t batch = 32;      // candidate ablations per forward pass
};

struct PruneStep {
  CircuitComponent component;
  double metric = 0;  // with it and every component pruned before it ablated
};

struct Circuit {
  int64_t entries = 0;  // (image, language) pairs whose caption names a gendered word
  double full_metric = 0, pruned_metric = 0;
  std::vector<PruneStep> pruned;  // in the order pruned
  std::vector<CircuitComponent> kept;
  std::vector<double> kept_effect;  // per kept component: the metric change if it too were ablated
  // component, kind (head, mlp), layer, head, kept (1/0), step (pruning order), metric (after that
  // step), effect (kept components).
  util::Table table = util::Table(std::vector<util::Column>{});
  // {"nodes": [{id, kind, layer, head, effect}], "edges": [[from, to]]}: embed, the kept components
  // and logits, joined as the residual stream joins them (each node feeds every node of a later
  // layer, and a layer's heads feed its MLP).
  nlohmann::json graph;
};

// Throws InputError for a threshold below 0 or not finite, a batch below 1, or no entry with a
// gendered word; loupe::Cancelled between forward passes.
Circuit prune_circuit(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                      const std::vector<DatasetImage>& images, const CircuitRequest& request, jobs::JobContext& job);

// The metric over the entries with exactly `ablated` mean-ablated, recomputed from scratch (one
// forward pass an entry): what prune_circuit reports for its pruned set, for checking it.
double circuit_metric(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                      const std::vector<DatasetImage>& images, const CircuitRequest& request,
                      const std::vector<CircuitComponent>& ablated, jobs::JobContext& job);

}  // namespace loupe::study
