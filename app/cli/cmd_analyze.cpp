// `loupe analyze features`: what each latent of a workspace's SAE does over one of its stores, and
// which latents carry gender in which language (core/study/analyze_features.h); writes
// W/analyses/NAME/{latents.csv, latents.json, summary.json}.
#include <iomanip>
#include <iostream>

#include "app/cli/commands.h"
#include "core/error.h"
#include "core/jobs/progress_printer.h"
#include "core/jobs/runner.h"
#include "core/study/analyze_features.h"
#include "core/workspace/workspace.h"

namespace loupe::cli {

namespace {

std::string figure(const std::optional<double>& value) {
  if (!value) return "n/a";
  std::ostringstream text;
  text << std::fixed << std::setprecision(3) << *value;
  return text.str();
}

void print_top(const nlohmann::ordered_json& json) {
  const char* slots[3] = {"en", "ar", "pooled"};
  for (size_t l = 0; l < 3; ++l) {
    for (const char* side : {"female", "male"}) {
      const auto& list = json["top_gender_latents"][slots[l]][side];
      if (list.empty()) continue;
      std::cout << "  most " << side << "-associated (" << slots[l] << "):";
      for (size_t i = 0; i < std::min<size_t>(5, list.size()); ++i)
        std::cout << " " << list[i]["latent"].get<int64_t>() << " (d " << figure(list[i]["cohens_d"].get<double>()) << ")";
      std::cout << "\n";
    }
  }
}

int run_analyze_features(const Args& args) {
  study::FeatureAnalysisRequest request;
  request.workspace = args.get("workspace");
  request.sae = args.get("sae");
  request.store = args.get_or("store", "");
  request.grouping = analysis::parse_grouping(args.get_or("by", "caption"));
  request.split = args.get_or("split", "");
  if (args.has("align-threshold")) request.align_threshold = args.get_double("align-threshold", 0.5);
  request.out = args.get_or("out", "");
  request.device = args.get_or("device", "cpu");
  const workspace::Workspace space = workspace::Workspace::open(request.workspace);
  workspace::RunRecord record;
  record.command = "analyze features";
  space.run_logged(record, [&](workspace::RunRecord&) {
    const study::PreparedFeatureAnalysis prepared = study::prepare_feature_analysis(request);
    record.parameters = prepared.parameters;
    workspace::add_inputs(record, space.sae_files(prepared.sae_folder.filename().string()));
    workspace::add_inputs(record, space.store_files(prepared.store_folder.filename().string()));
    workspace::add_inputs(record, space.model_files());
    jobs::JobRunner runner(1);
    const jobs::JobId id = runner.submit("analyze features " + request.sae, [&](jobs::JobContext& job) {
      return study::run_feature_analysis(prepared, job);
    });
    const auto result = jobs::run_in_foreground(runner, id, std::cerr).as<study::FeatureAnalysisResult>();
    const analysis::FeatureSummary& summary = result.summary;
    std::ostringstream message;
    message << summary.latents << " latents (" << summary.dead << " dead), alignment ratio "
            << figure(summary.alignment_ratio) << " (" << summary.aligned << " of " << summary.active_both
            << " active in both languages), gender bias correlation " << figure(summary.gender_bias_correlation);
    record.message = message.str();
    record.details = nlohmann::json::parse(result.summary_json["counts"].dump());
    std::cout << "analyze features: " << record.message << "\n";
    print_top(result.summary_json);
    std::cout << "  written to " << result.folder.string() << "\n";
  });
  return 0;
}

}  // namespace

CommandSpec analyze_features_command() {
  return {"analyze features",
          "per-latent statistics of an SAE: frequencies, examples, logit effects, gender effect sizes, alignment",
          "loupe analyze features --workspace DIR --sae NAME [--store NAME] [--by figure|caption] [--split NAME] "
          "[--align-threshold R] [--out NAME] [--device cpu|cuda]",
          {{"workspace", "DIR", "workspace folder (loupe init)"},
           {"sae", "NAME", "the SAE in DIR/saes/NAME"},
           {"store", "NAME", "the store in DIR/stores (default: the one the SAE was trained on, else acts)"},
           {"by", "figure|caption", "gender groups: the dataset's gender column, or the gender the caption states (default)"},
           {"split", "NAME", "only the entries of this split (eval = balanced); default: every entry"},
           {"align-threshold", "R", "alignment_r at or above which a latent counts as aligned (default 0.5)"},
           {"out", "NAME", "write DIR/analyses/NAME (default: the SAE's name)"},
           {"device", "cpu|cuda", "where to encode (default cpu)"}},
          run_analyze_features};
}

}  // namespace loupe::cli
