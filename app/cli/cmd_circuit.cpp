// `loupe circuit`: the attention heads and MLPs the model needs to state the figure's gender, by
// iterative pruning with mean ablation (core/study/circuit.h); written to
// W/analyses/NAME/circuit.{csv,json} and graph.json.
#include <iostream>
#include <optional>

#include "app/cli/commands.h"
#include "app/cli/model_args.h"
#include "app/cli/study_args.h"
#include "core/jobs/progress_printer.h"
#include "core/model/inputs.h"
#include "core/study/circuit.h"
#include "core/util/atomic_file.h"
#include "core/workspace/workspace.h"

namespace loupe::cli {

namespace {

int run_circuit(const Args& args) {
  const workspace::Workspace space = workspace::Workspace::open(args.get("workspace"));
  study::CircuitRequest request;
  request.langs = study_languages(args);
  request.threshold = args.get_double("threshold", request.threshold);
  request.batch = args.get_int("batch", request.batch);
  request.max_new_tokens = args.get_count("max-new-tokens", request.max_new_tokens);
  const std::vector<study::DatasetImage> images = study_images(args, space);
  const std::string name = args.get_or("out", "circuit");
  workspace::check_entry_name(name, "--out");

  workspace::RunRecord record;
  record.command = "circuit";
  for (const char* option : {"image", "split", "limit", "lang", "threshold", "out"})
    if (args.has(option)) record.parameters[option] = args.get(option);
  workspace::add_inputs(record, space.study_files());
  std::optional<study::Circuit> circuit;
  space.run_logged(record, [&](workspace::RunRecord& logged) {
    circuit = jobs::run_in_foreground("circuit", [&](jobs::JobContext& job) {
      const auto model = model::load_vlm(space.model().string(), load_options(args), &job);
      const auto tokenizer = model::model_tokenizer(space.model().string());
      return study::prune_circuit(*model, *tokenizer, images, request, job);
    }, std::cerr).as<study::Circuit>();
    const std::filesystem::path folder = space.analyses_dir() / name;
    util::write_table_files(folder, "circuit", circuit->table);
    util::write_file_atomic((folder / "graph.json").string(), circuit->graph.dump(1) + "\n");
    logged.message = std::to_string(circuit->kept.size()) + " components kept of " +
                     std::to_string(circuit->table.row_count()) + "; " + folder.string();
  });

  if (args.has("json")) {
    std::cout << nlohmann::ordered_json{{"entries", circuit->entries},
                                        {"full_metric", circuit->full_metric},
                                        {"pruned_metric", circuit->pruned_metric},
                                        {"threshold", request.threshold},
                                        {"components", circuit->table.json()},
                                        {"graph", circuit->graph}}
                     .dump()
              << "\n";
    return 0;
  }
  std::cout << "circuit over " << circuit->entries << " captions: signed gender logit difference " << circuit->full_metric
            << " with every component, " << circuit->pruned_metric << " with " << circuit->pruned.size()
            << " pruned; kept:";
  for (const auto& component : circuit->kept) std::cout << " " << study::component_name(component);
  std::cout << "\n" << circuit->table.csv();
  return 0;
}

}  // namespace

CommandSpec circuit_command() {
  return {"circuit",
          "the heads and MLPs that carry the figure's gender into the caption: iterative pruning by mean ablation",
          "loupe circuit --workspace DIR (--image PATH | --split S [--limit N]) [--lang en|ar|both] [--threshold 0.1] "
          "[--batch 32] [--out NAME] [--json]",
          {{"workspace", "DIR", "workspace folder (loupe init)"},
           {"image", "PATH", "one image"},
           {"split", "S", "or every row of this dataset split"},
           {"limit", "N", "--split: the first N rows"},
           where_option(),
           {"lang", "en|ar|both", "caption language(s) (default both)"},
           {"threshold", "T", "prune while the metric stays within T times its full-model value of it (default 0.1)"},
           {"batch", "B", "candidate ablations per forward pass (default 32)"},
           {"max-new-tokens", "N", "longest caption in tokens (default 24)"},
           {"out", "NAME", "write DIR/analyses/NAME/circuit.{csv,json} and graph.json (default circuit)"},
           {"dtype", "f32|bf16|f16", "model dtype (default f32)"},
           {"device", "cpu|cuda", "device (default cpu)"},
           {"json", "", "print {entries, full_metric, pruned_metric, threshold, components: [...], graph: {nodes, edges}}"}},
          run_circuit};
}

}  // namespace loupe::cli
