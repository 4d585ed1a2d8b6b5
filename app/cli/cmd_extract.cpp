// `loupe extract`: activations of a workspace's model over its dataset into an activation store
// (core/store/extract.h), as a job with progress on stderr; every run is logged to runs.jsonl.
#include <filesystem>
#include <iostream>

#include "app/cli/commands.h"
#include "core/jobs/progress_printer.h"
#include "core/store/extract.h"
#include "core/workspace/workspace.h"

namespace loupe::cli {

namespace {

store::ExtractOptions extract_options(const Args& args, const workspace::Workspace& space, const std::string& name) {
  store::ExtractOptions options;
  options.model = space.model().string();
  options.dataset = space.dataset().string();
  options.out = space.store_dir(name);
  options.hooks = args.get_or("hooks", "");
  options.vision_hooks = args.get_or("vision-hooks", "");
  if (args.has("langs")) options.langs = parse_languages(split_list(args.get("langs")), "--langs");
  options.positions = args.get_or("positions", options.positions);
  options.source = args.get_or("source", options.source);
  options.limit = args.get_int("limit", options.limit);
  options.batch = args.get_int("batch", options.batch);
  options.dtype = args.get_or("dtype", options.dtype);
  options.device = args.get_or("device", options.device);
  options.shard_vectors = args.get_int("shard-vectors", options.shard_vectors);
  options.max_new_tokens = args.get_int("max-new-tokens", options.max_new_tokens);
  options.resume = args.has("resume");
  return options;
}

nlohmann::json parameters_of(const store::ExtractOptions& options, const std::string& name) {
  return {{"out", name},         {"hooks", options.hooks},   {"vision_hooks", options.vision_hooks},
          {"langs", language_codes(options.langs)}, {"positions", options.positions}, {"source", options.source},
          {"limit", options.limit}, {"batch", options.batch}, {"dtype", options.dtype},
          {"device", options.device}, {"shard_vectors", options.shard_vectors},
          {"max_new_tokens", options.max_new_tokens}, {"resume", options.resume}};
}

int run_extract(const Args& args) {
  const workspace::Workspace space = workspace::Workspace::open(args.get("workspace"));
  const std::string name = args.get_or("out", "acts");
  workspace::RunRecord record;
  record.command = "extract";
  space.run_logged(record, [&](workspace::RunRecord&) {
    const store::ExtractOptions options = extract_options(args, space, name);
    record.parameters = parameters_of(options, name);
    std::unique_ptr<store::Extraction> extraction = store::Extraction::prepare(options);
    jobs::JobRunner runner(1);
    const jobs::JobId id = runner.submit("extract", [&](jobs::JobContext& context) { return extraction->run(context); });
    const nlohmann::json result = jobs::run_in_foreground(runner, id, std::cerr);
    record.message = std::to_string(result["vectors"].get<int64_t>()) + " vectors from " +
                     std::to_string(result["rows"].get<int64_t>()) + " (row, language) entries; " +
                     std::to_string(result["skipped"].size()) + " rows skipped";
    record.details = {{"skipped", result["skipped"]}, {"seconds", result["seconds"]},
                      {"units_per_second", result["units_per_second"]}};
    std::cout << "extract: " << record.message << " in " << result["seconds"].get<double>() << " s ("
              << result["units_per_second"].get<double>() << " (row, language)/s); store " << options.out.string() << "\n";
    for (const auto& skipped : result["skipped"])
      std::cout << "  skipped row " << skipped["row"] << " (" << skipped["image"].get<std::string>()
                << "): " << skipped["reason"].get<std::string>() << "\n";
  });
  return 0;
}

}  // namespace

CommandSpec extract_command() {
  return {"extract",
          "store activations of the workspace's model over its dataset (resumable, sharded safetensors)",
          "loupe extract --workspace DIR (--hooks NAMES | --vision-hooks NAMES) [--out NAME] [--langs en,ar] "
          "[--positions all|image|text|last|mean-image|mean-text] [--source caption|generate] [--limit N] [--batch B] "
          "[--dtype f32|bf16|f16] [--resume]",
          {{"workspace", "DIR", "workspace folder (loupe init)"},
           {"out", "NAME", "store name: the store is DIR/stores/NAME (default acts)"},
           {"hooks", "NAMES", "decoder hooks, e.g. 'blocks.{1,2,3}.hook_resid_post' ({a,b} or * for the layer)"},
           {"vision-hooks", "NAMES", "vision tower hooks instead, e.g. 'vision.blocks.*.hook_resid_post' (one vector per patch)"},
           {"langs", "LIST", "caption languages, comma-separated (default en,ar)"},
           {"positions", "RULE", "which positions to store (default text: the caption tokens only); see docs/store.md"},
           {"source", "SOURCE", "caption: teacher-force the reference caption (default); generate: greedy captioning"},
           {"limit", "N", "only the first N dataset rows"},
           {"batch", "B", "images per forward pass (default 8)"},
           {"dtype", "f32|bf16|f16", "stored dtype; the model computes in it (f16 on CPU: computes in f32)"},
           {"device", "cpu|cuda", "where to run (default cpu)"},
           {"shard-vectors", "N", "commit a shard every N vectors (default 16384)"},
           {"max-new-tokens", "N", "generate: caption length limit (default 32)"},
           {"resume", "", "continue an interrupted extraction of the same store"}},
          run_extract};
}

}  // namespace loupe::cli
