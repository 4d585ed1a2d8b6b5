// `loupe store merge`: joins the part stores of a `loupe extract --shard I/N` array into one store,
// byte for byte the store a single extraction writes (core/store/store_merge.h); logged to runs.jsonl.
#include <filesystem>
#include <iostream>

#include "app/cli/commands.h"
#include "core/store/store_format.h"
#include "core/store/store_merge.h"
#include "core/workspace/workspace.h"

namespace loupe::cli {

namespace {

// A word with a slash is a store folder; any other word a store name in the workspace.
std::filesystem::path part_folder(const workspace::Workspace& space, const std::string& word) {
  return word.find('/') == std::string::npos ? space.store_dir(word) : std::filesystem::path(word);
}

int run_store_merge(const Args& args) {
  const workspace::Workspace space = workspace::Workspace::open(args.get("workspace"));
  const std::string name = args.get("out");
  workspace::RunRecord record;
  record.command = "store merge";
  record.parameters = {{"out", name}, {"parts", args.operands()}};
  space.run_logged(record, [&](workspace::RunRecord& logged) {
    std::vector<std::filesystem::path> parts;
    for (const std::string& word : args.operands()) {
      parts.push_back(part_folder(space, word));
      workspace::add_inputs(logged, {parts.back() / store::kManifestName, parts.back() / store::kRowsName});
    }
    const store::MergeSummary summary = store::merge_stores(parts, space.store_dir(name));
    logged.message = std::to_string(summary.parts) + " parts merged: " + std::to_string(summary.vectors) + " vectors from " +
                     std::to_string(summary.rows) + " (row, language) entries in " + std::to_string(summary.shards) +
                     " shards; " + std::to_string(summary.skipped) + " rows skipped";
    logged.details = summary.to_json();
    std::cout << "store merge: " << logged.message << "; store " << summary.store << "\n";
  });
  return 0;
}

}  // namespace

CommandSpec store_merge_command() {
  return {"store merge",
          "join the part stores of `loupe extract --shard I/N` into the store one extraction writes (byte for byte)",
          "loupe store merge --workspace DIR --out NAME STORE...",
          {{"workspace", "DIR", "workspace folder (loupe init)"},
           {"out", "NAME", "the merged store: DIR/stores/NAME (must not exist)"}},
          run_store_merge,
          "STORE"};
}

}  // namespace loupe::cli
