// `loupe extract`: activations of a workspace's model over its dataset into an activation store
// (core/store/extract.h), as a job with progress on stderr; every run is logged to runs.jsonl.
#include <filesystem>
#include <iostream>

#include "app/cli/commands.h"
#include "core/jobs/progress_printer.h"
#include "core/store/extract.h"
#include "core/store/store_parts.h"
#include "core/study/extract_study.h"
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
  options.limit = args.get_count("limit", options.limit);
  options.batch = args.get_int("batch", options.batch);
  options.dtype = args.get_or("dtype", options.dtype);
  options.device = args.get_or("device", options.device);
  options.shard_vectors = args.get_int("shard-vectors", options.shard_vectors);
  options.max_new_tokens = args.get_int("max-new-tokens", options.max_new_tokens);
  options.resume = args.has("resume");
  if (args.has("shard")) options.part = store::parse_store_part(args.get("shard"));
  return options;
}

int run_extract(const Args& args) {
  const workspace::Workspace space = workspace::Workspace::open(args.get("workspace"));
  const store::ExtractOptions options = extract_options(args, space, args.get_or("out", "acts"));
  const auto summary = jobs::run_in_foreground("extract", [&](jobs::JobContext& job) {
    return study::extract_activations(options, &space, job);
  }, std::cerr).as<store::ExtractSummary>();
  std::cout << "extract: " << study::extract_message(summary) << " in " << summary.seconds << " s ("
            << summary.units_per_second << " (row, language)/s); store " << summary.store << "\n";
  for (const store::SkippedRow& skipped : summary.skipped)
    std::cout << "  skipped row " << skipped.row << " (" << skipped.image << "): " << skipped.reason << "\n";
  return 0;
}

}  // namespace

CommandSpec extract_command() {
  return {"extract",
          "store activations of the workspace's model over its dataset (resumable, sharded safetensors)",
          "loupe extract --workspace DIR (--hooks NAMES | --vision-hooks NAMES) [--out NAME] [--langs en,ar] "
          "[--positions WORD] [--source caption|generate] [--limit N] [--batch B] "
          "[--dtype f32|bf16|f16] [--shard I/N] [--resume]",
          {{"workspace", "DIR", "workspace folder (loupe init)"},
           {"out", "NAME", "store name: the store is DIR/stores/NAME (default acts)"},
           {"hooks", "NAMES", "decoder hooks, e.g. 'blocks.{1,2,3}.hook_resid_post' ({a,b} or * for the layer)"},
           {"vision-hooks", "NAMES", "vision tower hooks instead, e.g. 'vision.blocks.*.hook_resid_post' (one vector per patch)"},
           {"langs", "LIST", "caption languages, comma-separated (default en,ar)"},
           {"positions", "WORD", "which positions to store: all, image, text (default: the caption tokens only), template, non-image, last, mean-image, mean-text or mean-template; see docs/store.md"},
           {"source", "SOURCE", "caption: teacher-force the reference caption (default); generate: greedy captioning"},
           {"limit", "N", "only the first N dataset rows"},
           {"batch", "B", "images per forward pass (default 8)"},
           {"dtype", "f32|bf16|f16", "stored dtype; the model computes in it (f16 on CPU: computes in f32)"},
           {"device", "cpu|cuda", "where to run (default cpu)"},
           {"shard-vectors", "N", "commit a shard every N vectors (default 16384)"},
           {"max-new-tokens", "N", "generate: caption length limit (default 32)"},
           {"shard", "I/N", "only part I (0 to N-1) of the dataset's batches, for a Slurm array; loupe store merge joins "
                            "the N part stores (docs/cluster.md)"},
           {"resume", "", "continue an interrupted extraction of the same store"}},
          run_extract};
}

}  // namespace loupe::cli
