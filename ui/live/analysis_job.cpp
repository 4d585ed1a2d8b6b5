#include "ui/live/analysis_job.h"

#include "app/cli/args.h"
#include "core/error.h"
#include "core/io/dataset.h"
#include "core/study/analyze_features.h"
#include "core/study/layer_analysis_run.h"
#include "core/study/lens_run.h"
#include "core/study/split_images.h"
#include "ui/live/loaded_model.h"

namespace loupe::ui {

namespace {

// The logit lens and attribution over the split's rows in both languages, with the loaded model.
util::Table lens_table(const AnalysisInputs& inputs, const LoadedModel* model, jobs::JobContext& job) {
  if (inputs.split.empty()) throw InputError("the logit lens captions a split's rows: name the split (e.g. balanced)");
  if (!model) throw InputError("the model is still loading; the logit lens captions with it");
  const workspace::Workspace space = workspace::Workspace::open(inputs.workspace);
  const std::vector<study::DatasetImage> images =
      study::split_images(io::load_dataset(space.dataset().string()), inputs.split, {}, inputs.limit);
  const std::vector<Language> langs = {Language::English, Language::Arabic};
  study::LensRun run;
  run.split = inputs.split;
  run.limit = inputs.limit;
  run.name = inputs.name;
  return study::logit_lens_logged(space, run, langs, [&] {
    job.set_stage("captioning " + std::to_string(images.size()) + " images");
    return study::LensEntries{study::logit_lens(*model->vlm, *model->tokenizer, images, langs, 24, &job),
                              model->vlm->config.text.layers, model->vlm->config.text.heads};
  }).lens;
}

util::Table analysis_table(const AnalysisInputs& inputs, const LoadedModel* model, jobs::JobContext& job) {
  if (inputs.analysis == "lens") return lens_table(inputs, model, job);
  if (inputs.analysis == "features") {  // its table: the summary's counts, one row
    if (inputs.sae.empty()) throw InputError("name the SAE whose latents the feature analysis reads");
    study::FeatureAnalysisRequest request;
    request.workspace = inputs.workspace;
    request.sae = inputs.sae;
    request.store = inputs.store;
    request.split = inputs.split;
    request.out = inputs.name;
    const study::LoggedFeatureAnalysis logged = study::feature_analysis_logged(request, job);
    job.log(logged.message);
    util::Table summary({{"folder", util::ColumnType::Text}, {"latents", util::ColumnType::Integer}, {"dead", util::ColumnType::Integer}});
    summary.add_row({logged.result.folder.string(), logged.result.summary.latents, logged.result.summary.dead});
    return summary;
  }
  if (inputs.analysis == "summary") {
    study::LayerSummaryRequest request;
    request.workspace = inputs.workspace;
    request.split = inputs.split;
    return study::layer_summary_logged(request, inputs.name, job);
  }
  if (inputs.analysis != "probe" && inputs.analysis != "rank")
    throw InputError("the Study panel runs probe, rank, summary, lens or features, not '" + inputs.analysis + "'");
  study::LayerAnalysisRequest request;
  request.workspace = inputs.workspace;
  request.store = inputs.store;
  request.hooks = cli::split_list(inputs.hooks);
  request.split = inputs.split;
  const auto which = inputs.analysis == "probe" ? study::LayerAnalysis::Probe : study::LayerAnalysis::Rank;
  return study::layer_analysis_logged(request, which, inputs.name, false, job);
}

}  // namespace

jobs::JobResult run_analysis(const AnalysisInputs& inputs, const LoadedModel* model, jobs::JobContext& job) {
  const util::Table table = analysis_table(inputs, model, job);
  const std::string line = "analyze " + inputs.analysis + " → analyses/" + inputs.name + ": " + std::to_string(table.row_count()) + " rows";
  job.log(line);
  return jobs::JobResult(line);
}

}  // namespace loupe::ui
