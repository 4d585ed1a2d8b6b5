#include "ui/live/extraction_job.h"

#include <optional>

#include "core/study/extract_study.h"

namespace loupe::ui {

nlohmann::json run_extraction(const ExtractionRequest& request, jobs::JobContext& job) {
  store::ExtractOptions options;
  options.model = request.model;
  options.dataset = request.dataset;
  options.out = request.out;
  options.hooks = request.hooks;
  options.limit = request.limit;
  options.positions = request.positions;
  if (request.langs != "both") options.langs = {parse_language(request.langs, "the extraction's language")};
  options.source = request.source;
  std::optional<workspace::Workspace> space;
  if (!request.workspace.empty()) space = workspace::Workspace::open(request.workspace);
  return study::extract_activations(options, space ? &*space : nullptr, job).to_json();
}

}  // namespace loupe::ui
