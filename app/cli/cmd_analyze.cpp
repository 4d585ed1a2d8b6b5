// `loupe analyze features`: what each latent of a workspace's SAE does over one of its stores, and
// which latents carry gender in which language (core/study/analyze_features.h); writes
// W/analyses/NAME/{latents.csv, latents.json, summary.json}.
#include <iostream>

#include "app/cli/commands.h"
#include "core/error.h"
#include "core/jobs/progress_printer.h"
#include "core/study/analyze_features.h"

namespace loupe::cli {

namespace {

void print_top(const nlohmann::ordered_json& json) {
  const char* slots[3] = {"en", "ar", "pooled"};
  for (size_t l = 0; l < 3; ++l) {
    for (const char* side : {"female", "male"}) {
      const auto& list = json["top_gender_latents"][slots[l]][side];
      if (list.empty()) continue;
      std::cout << "  most " << side << "-associated (" << slots[l] << "):";
      for (size_t i = 0; i < std::min<size_t>(5, list.size()); ++i)
        std::cout << " " << list[i]["latent"].get<int64_t>() << " (d " << study::three_decimals(list[i]["cohens_d"].get<double>()) << ")";
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
  const auto logged = jobs::run_in_foreground("analyze features " + request.sae, [&](jobs::JobContext& job) {
    return study::feature_analysis_logged(request, job);
  }, std::cerr).as<study::LoggedFeatureAnalysis>();
  std::cout << "analyze features: " << logged.message << "\n";
  print_top(logged.result.summary_json);
  std::cout << "  written to " << logged.result.folder.string() << "\n";
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
