#include "core/study/extract_study.h"

#include <filesystem>

namespace loupe::study {

namespace fs = std::filesystem;

nlohmann::json extract_parameters(const store::ExtractOptions& options, const workspace::Workspace* space) {
  const fs::path out = fs::weakly_canonical(options.out);
  const bool in_workspace = space && out.parent_path() == fs::weakly_canonical(space->root() / "stores");
  return {{"out", in_workspace ? out.filename().string() : out.string()},
          {"model", options.model},
          {"dataset", options.dataset},
          {"hooks", options.hooks},
          {"vision_hooks", options.vision_hooks},
          {"langs", language_codes(options.langs)},
          {"positions", options.positions},
          {"source", options.source},
          {"limit", options.limit},
          {"batch", options.batch},
          {"dtype", options.dtype},
          {"device", options.device},
          {"shard_vectors", options.shard_vectors},
          {"max_new_tokens", options.max_new_tokens},
          {"resume", options.resume},
          {"shard", options.part ? nlohmann::json(std::to_string(options.part->index) + "/" + std::to_string(options.part->count))
                                 : nlohmann::json()}};
}

std::string extract_message(const store::ExtractSummary& summary) {
  return std::to_string(summary.vectors) + " vectors from " + std::to_string(summary.rows) + " (row, language) entries; " +
         std::to_string(summary.skipped.size()) + " rows skipped" +
         (summary.empty_captions > 0 ? "; " + std::to_string(summary.empty_captions) + " entries with an empty reference caption"
                                     : std::string());
}

store::ExtractSummary extract_activations(const store::ExtractOptions& options, const workspace::Workspace* space,
                                          jobs::JobContext& job) {
  const auto run = [&] {
    job.set_stage("loading the model and dataset");
    const auto extraction = store::Extraction::prepare(options);
    job.set_stage("extracting " + (options.hooks.empty() ? options.vision_hooks : options.hooks));
    return extraction->run(job);
  };
  if (!space) return run();
  store::ExtractSummary summary;
  workspace::RunRecord record;
  record.command = "extract";
  record.parameters = extract_parameters(options, space);
  workspace::add_inputs(record, space->study_files());
  space->run_logged(record, [&](workspace::RunRecord& logged) {
    summary = run();
    logged.message = extract_message(summary);
    const nlohmann::json all = summary.to_json();
    logged.details = {{"skipped", all["skipped"]},
                      {"empty_captions", summary.empty_captions},
                      {"seconds", summary.seconds},
                      {"units_per_second", summary.units_per_second}};
  });
  return summary;
}

}  // namespace loupe::study
