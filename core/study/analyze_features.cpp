#include "core/study/analyze_features.h"

#include <cstdio>

#include "core/analysis/feature_report.h"
#include "core/error.h"
#include "core/io/dataset.h"
#include "core/model/hook_names.h"
#include "core/model/inputs.h"
#include "core/model/vlm.h"
#include "core/sae/sae_io.h"
#include "core/store/store_reader.h"
#include "core/tensor/convert.h"
#include "core/util/atomic_file.h"
#include "core/util/json_fields.h"
#include "core/workspace/workspace.h"

namespace loupe::study {

namespace fs = std::filesystem;

namespace {

// The store named in the SAE's cfg.json (`dataset_path`, written by train-sae) when it is one of
// the workspace's stores, else "acts".
std::string default_store(const workspace::Workspace& space, const fs::path& sae_folder) {
  const fs::path cfg = sae_folder / sae::kCfgFile;
  if (!fs::exists(cfg)) return "acts";
  const nlohmann::json object = util::parse_json_file(cfg.string());
  const std::string trained_on = util::JsonFields(object, cfg.string()).string("dataset_path", "");
  if (trained_on.empty()) return "acts";
  const fs::path folder = fs::path(trained_on);
  std::error_code error;
  return fs::equivalent(folder.parent_path(), space.root() / "stores", error) ? folder.filename().string() : "acts";
}

// Writes the files into a fresh sibling folder, then swaps it in for `folder`.
void replace_folder(const fs::path& folder, const std::vector<std::pair<std::string, std::string>>& files) {
  const fs::path partial = folder.parent_path() / ("." + folder.filename().string() + ".partial");
  const fs::path old = folder.parent_path() / ("." + folder.filename().string() + ".old");
  std::error_code error;
  fs::remove_all(partial, error);
  fs::remove_all(old, error);
  util::create_folders(partial);
  try {
    for (const auto& [name, bytes] : files) util::write_file_atomic((partial / name).string(), bytes);
    if (fs::exists(folder)) fs::rename(folder, old);
    fs::rename(partial, folder);
  } catch (const fs::filesystem_error& failure) {
    fs::remove_all(partial, error);
    throw IoError("cannot write the analysis to " + folder.string() + ": " + failure.what());
  } catch (...) {
    fs::remove_all(partial, error);
    throw;
  }
  fs::remove_all(old, error);
}

}  // namespace

PreparedFeatureAnalysis prepare_feature_analysis(const FeatureAnalysisRequest& request) {
  const workspace::Workspace space = workspace::Workspace::open(request.workspace);
  workspace::check_entry_name(request.sae, "SAE");
  PreparedFeatureAnalysis prepared;
  prepared.request = request;
  prepared.sae_folder = space.sae_dir(request.sae);
  if (!fs::is_directory(prepared.sae_folder))
    throw InputError("the workspace has no SAE " + request.sae + " (no folder " + prepared.sae_folder.string() + ")");
  prepared.request.store = request.store.empty() ? default_store(space, prepared.sae_folder) : request.store;
  workspace::check_entry_name(prepared.request.store, "store");
  prepared.store_folder = space.store_dir(prepared.request.store);
  prepared.request.out = request.out.empty() ? request.sae : request.out;
  workspace::check_entry_name(prepared.request.out, "analysis");
  prepared.out_folder = space.analyses_dir() / prepared.request.out;
  prepared.request.split = request.split.empty() ? "" : io::canonical_split(request.split);
  if (request.align_threshold && !(*request.align_threshold >= -1 && *request.align_threshold <= 1))
    throw InputError("--align-threshold is a correlation, from -1 to 1");
  prepared.model_folder = space.model();
  prepared.parameters = {{"sae", request.sae},
                         {"store", prepared.request.store},
                         {"by", analysis::grouping_name(request.grouping)},
                         {"split", prepared.request.split},
                         {"align_threshold", request.align_threshold.value_or(analysis::kDefaultAlignThreshold)},
                         {"out", prepared.request.out}};
  return prepared;
}

AnalyzedFeatures analyze_prepared(const PreparedFeatureAnalysis& prepared, jobs::JobContext& job) {
  const FeatureAnalysisRequest& request = prepared.request;
  job.set_stage("loading the SAE and the store");
  const sae::Sae trained = sae::load_sae(prepared.sae_folder.string()).to(tensor::parse_device(request.device));
  const store::StoreReader store = store::StoreReader::open(prepared.store_folder);
  analysis::FeatureAnalysisRequest options;
  options.hook = trained.config.hook_name;
  if (options.hook.empty())
    throw InputError("the SAE " + prepared.sae_folder.string() + " does not name its hook (cfg.json `hook_name`)");
  options.grouping = request.grouping;
  options.split = request.split;
  options.align_threshold = request.align_threshold;
  options.code_rank = request.code_rank;

  // Logit effects: decoder hooks in the residual space only (the SAE's width is the model's).
  AnalyzedFeatures out;
  const io::ModelConfig config = io::read_model_config(prepared.model_folder.string());
  const model::HookPoint point = model::parse_hook(options.hook, config);
  if (request.logit_effects && !point.vision && point.site != model::Site::ProjectorOut &&
      trained.config.d_in == config.text.hidden) {
    job.set_stage("loading the model's unembedding");
    const auto vlm = model::load_vlm(prepared.model_folder.string());
    options.unembedding = vlm->language_model->unembedding().detach().to(trained.device());
    out.tokenizer = model::model_tokenizer(prepared.model_folder.string());
    options.tokenizer = out.tokenizer.get();
  }
  out.analysis = analysis::analyze_features(store, trained, options, job);
  out.entries = store.entries();
  return out;
}

FeatureAnalysisResult run_feature_analysis(const PreparedFeatureAnalysis& prepared, jobs::JobContext& job) {
  const FeatureAnalysisRequest& request = prepared.request;
  const AnalyzedFeatures analyzed = analyze_prepared(prepared, job);
  const analysis::FeatureAnalysis& result = analyzed.analysis;

  job.set_stage("writing " + prepared.out_folder.string());
  FeatureAnalysisResult out;
  out.folder = prepared.out_folder;
  out.summary = analysis::summarize(result);
  out.summary_json = analysis::summary_json(result, out.summary);
  out.summary_json["sae"] = request.sae;
  out.summary_json["store"] = request.store;
  replace_folder(prepared.out_folder,
                 {{"latents.csv", analysis::latent_table(result).csv()},
                  {"latents.json", analysis::latents_json(result, analyzed.entries, analyzed.tokenizer.get())
                                       .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"},
                  {"summary.json", out.summary_json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"}});
  return out;
}

std::string three_decimals(const std::optional<double>& value) {
  if (!value) return "n/a";
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", *value);
  return text;
}

LoggedFeatureAnalysis feature_analysis_logged(const FeatureAnalysisRequest& request, jobs::JobContext& job) {
  const workspace::Workspace space = workspace::Workspace::open(request.workspace);
  workspace::RunRecord record;
  record.command = "analyze features";
  LoggedFeatureAnalysis out;
  space.run_logged(record, [&](workspace::RunRecord&) {
    const PreparedFeatureAnalysis prepared = prepare_feature_analysis(request);
    record.parameters = prepared.parameters;
    workspace::add_inputs(record, space.sae_files(prepared.sae_folder.filename().string()));
    workspace::add_inputs(record, space.store_files(prepared.store_folder.filename().string()));
    workspace::add_inputs(record, space.model_files());
    out.result = run_feature_analysis(prepared, job);
    const analysis::FeatureSummary& summary = out.result.summary;
    out.message = std::to_string(summary.latents) + " latents (" + std::to_string(summary.dead) + " dead), alignment ratio " +
                  three_decimals(summary.alignment_ratio) + " (" + std::to_string(summary.aligned) + " of " +
                  std::to_string(summary.active_both) + " active in both languages), gender bias correlation " +
                  three_decimals(summary.gender_bias_correlation);
    record.message = out.message;
    record.details = nlohmann::json::parse(out.result.summary_json["counts"].dump());
  });
  return out;
}

}  // namespace loupe::study
