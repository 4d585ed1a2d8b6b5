#include "ui/live/analysis_job.h"

#include "app/cli/args.h"
#include "core/error.h"
#include "core/io/dataset.h"
#include "core/sae/sae_eval_run.h"
#include "core/study/analyze_features.h"
#include "core/study/layer_analysis_run.h"
#include "core/study/lens_run.h"
#include "core/study/split_images.h"
#include "ui/live/loaded_model.h"

namespace loupe::ui {

namespace {

const LoadedModel& require_model(const LoadedModel* model, const std::string& analysis) {
  if (!model) throw InputError("the model is still loading; " + analysis + " runs it");
  return *model;
}

std::string rows_written(const util::Table& table, const AnalysisInputs& inputs) {
  return std::to_string(table.row_count()) + " rows in analyses/" + inputs.name;
}

// The logit lens and attribution over the split's rows in both languages, with the loaded model.
std::string run_lens(const AnalysisInputs& inputs, const LoadedModel& model, jobs::JobContext& job) {
  if (inputs.split.empty()) throw InputError("the logit lens captions a split's rows: name the split (e.g. balanced)");
  const workspace::Workspace space = workspace::Workspace::open(inputs.workspace);
  const std::vector<study::DatasetImage> images =
      study::split_images(io::load_dataset(space.dataset().string()), inputs.split, {}, inputs.limit);
  const std::vector<Language> langs = {Language::English, Language::Arabic};
  study::LensRun run;
  run.split = inputs.split;
  run.limit = inputs.limit;
  run.name = inputs.name;
  const study::LensTables tables = study::logit_lens_logged(space, run, langs, [&] {
    job.set_stage("captioning " + std::to_string(images.size()) + " images");
    return study::LensEntries{study::logit_lens(*model.vlm, *model.tokenizer, images, langs, 24, &job),
                              model.vlm->config.text.layers, model.vlm->config.text.heads};
  });
  return std::to_string(tables.entries) + " captions with a gendered word; " + rows_written(tables.lens, inputs);
}

std::string run_features(const AnalysisInputs& inputs, jobs::JobContext& job) {
  if (inputs.sae.empty()) throw InputError("name the SAE whose latents the feature analysis reads");
  study::FeatureAnalysisRequest request;
  request.workspace = inputs.workspace;
  request.sae = inputs.sae;
  request.store = inputs.store;
  request.split = inputs.split;
  request.out = inputs.name;
  return study::feature_analysis_logged(request, job).message;
}

// The caption loss with the SAE spliced in, on the split's first rows (64 when none is given).
std::string run_eval_sae(const AnalysisInputs& inputs, const LoadedModel& model, jobs::JobContext& job) {
  if (inputs.sae.empty()) throw InputError("name the SAE to evaluate");
  sae::SaeEvalRequest request;
  request.sae = inputs.sae;
  if (!inputs.split.empty()) request.split = inputs.split;
  if (inputs.limit > 0) request.rows = inputs.limit;
  const workspace::Workspace space = workspace::Workspace::open(inputs.workspace);
  return sae::evaluate_sae_logged(space, request, [&] { return sae::SaeEvalModel{model.vlm, model.tokenizer}; }, job).message;
}

std::string run_one(const AnalysisInputs& inputs, const LoadedModel* model, jobs::JobContext& job) {
  if (inputs.analysis == "lens") return run_lens(inputs, require_model(model, "the logit lens"), job);
  if (inputs.analysis == "eval-sae") return run_eval_sae(inputs, require_model(model, "the SAE evaluation"), job);
  if (inputs.analysis == "features") return run_features(inputs, job);
  if (inputs.analysis == "summary") {
    study::LayerSummaryRequest request;
    request.workspace = inputs.workspace;
    request.split = inputs.split;
    return rows_written(study::layer_summary_logged(request, inputs.name, job), inputs);
  }
  if (inputs.analysis != "probe" && inputs.analysis != "rank")
    throw InputError("the Study panel runs probe, rank, summary, lens, features or eval-sae, not '" + inputs.analysis + "'");
  study::LayerAnalysisRequest request;
  request.workspace = inputs.workspace;
  request.store = inputs.store;
  request.hooks = cli::split_list(inputs.hooks);
  request.split = inputs.split;
  const auto which = inputs.analysis == "probe" ? study::LayerAnalysis::Probe : study::LayerAnalysis::Rank;
  return rows_written(study::layer_analysis_logged(request, which, inputs.name, false, job), inputs);
}

}  // namespace

jobs::JobResult run_analysis(const AnalysisInputs& inputs, const LoadedModel* model, jobs::JobContext& job) {
  const std::string line = inputs.analysis + ": " + run_one(inputs, model, job);
  job.log(line);
  return jobs::JobResult(line);
}

}  // namespace loupe::ui
