#include "core/study/layer_analysis_run.h"

#include <filesystem>
#include <optional>
#include <system_error>

#include "core/workspace/workspace.h"

namespace loupe::study {

namespace fs = std::filesystem;

util::Table layer_analysis_logged(LayerAnalysisRequest request, LayerAnalysis which, const std::string& name, bool export_data,
                                  jobs::JobContext& job) {
  const workspace::Workspace space = workspace::Workspace::open(request.workspace);
  workspace::check_entry_name(name, "--out");
  const std::string file = which == LayerAnalysis::Probe ? "probe" : "rank";
  std::string hooks;
  for (const std::string& hook : request.hooks) hooks += (hooks.empty() ? "" : ",") + hook;
  workspace::RunRecord record;
  record.command = "analyze " + file;
  record.parameters = {{"store", request.store}, {"hooks", hooks}, {"split", request.split}, {"out", name}};
  if (which == LayerAnalysis::Probe)
    record.parameters.update({{"targets", request.targets}, {"C", request.C}, {"folds", request.folds}, {"seed", request.seed}, {"test_split", request.test_split}});
  workspace::add_inputs(record, space.store_files(request.store));
  std::optional<util::Table> table;
  space.run_logged(record, [&](workspace::RunRecord& logged) {
    const fs::path folder = space.analyses_dir() / name;
    if (which == LayerAnalysis::Probe && export_data) request.export_data = folder / "probe_data.safetensors";
    table = which == LayerAnalysis::Probe ? layer_probes(request, job) : layer_ranks(request, job);
    util::write_table_files(folder, file, *table);
    logged.message = std::to_string(table->row_count()) + " rows; " + (folder / (file + ".csv")).string();
  });
  return *table;
}

util::Table layer_summary_logged(const LayerSummaryRequest& request, const std::string& name, jobs::JobContext& job) {
  const workspace::Workspace space = workspace::Workspace::open(request.workspace);
  workspace::check_entry_name(name, "--out");
  workspace::RunRecord record;
  record.command = "analyze summary";
  record.parameters = {{"by", analysis::grouping_name(request.grouping)}, {"split", request.split}, {"out", name}};
  for (const char* kind : {"saes", "stores"}) {
    std::error_code error;
    for (const fs::directory_entry& entry : fs::directory_iterator(space.root() / kind, error))
      if (entry.is_directory(error))
        workspace::add_inputs(record, std::string(kind) == "saes" ? space.sae_files(entry.path().filename().string())
                                                                  : space.store_files(entry.path().filename().string()));
  }
  std::optional<util::Table> table;
  space.run_logged(record, [&](workspace::RunRecord& logged) {
    table = layer_summary(request, job);
    const fs::path folder = space.analyses_dir() / name;
    util::write_table_files(folder, "summary", *table);
    logged.message = std::to_string(table->row_count()) + " SAEs; " + (folder / "summary.csv").string();
  });
  return *table;
}

}  // namespace loupe::study
