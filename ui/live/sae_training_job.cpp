#include "ui/live/sae_training_job.h"

#include "core/error.h"
#include "core/sae/sae_store_training.h"

namespace loupe::ui {

jobs::JobResult run_sae_training(const SaeTrainingInputs& inputs, jobs::JobContext& job) {
  sae::StoreTrainingRequest request;
  request.workspace = inputs.workspace;
  request.store = inputs.store;
  request.hook = inputs.hook;
  request.name = inputs.name;
  request.kind = sae::parse_kind(inputs.kind);
  request.expansion = inputs.expansion;
  request.k = inputs.k;
  if (inputs.tokens < 1) throw InputError("train on at least 1 token, not " + std::to_string(inputs.tokens));
  request.tokens = inputs.tokens;
  if (inputs.batch < 1) throw InputError("a batch holds at least 1 vector, not " + std::to_string(inputs.batch));
  request.options.batch = inputs.batch;
  request.options.objective.l1 = inputs.l1;
  request.options.resample_every = request.kind == sae::SaeKind::Relu ? 500 : 0;
  request.options.resume = inputs.resume;
  const std::string line = sae::train_store_sae_logged(
      request,
      [&](const sae::PreparedTraining& prepared) { return sae::store_training_job(prepared)(job).as<sae::SaeTrainSummary>(); },
      [&](const std::string& kept) { job.log(kept); });
  job.log(line);
  return jobs::JobResult(line);
}

}  // namespace loupe::ui
