#include "ui/live/extraction_job.h"

#include "core/store/extract.h"

namespace loupe::ui {

nlohmann::json run_extraction(const ExtractionRequest& request, jobs::JobContext& job) {
  store::ExtractOptions options;
  options.model = request.model;
  options.dataset = request.dataset;
  options.out = request.out;
  options.hooks = request.hooks;
  options.limit = request.limit;
  job.set_stage("loading the model and dataset");
  auto extraction = store::Extraction::prepare(options);
  job.set_stage("extracting " + request.hooks);
  return extraction->run(job);
}

}  // namespace loupe::ui
