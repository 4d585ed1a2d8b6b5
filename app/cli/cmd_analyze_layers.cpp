// `loupe analyze probe` and `loupe analyze rank`: per hook of a workspace's store and per language,
// linear-probe accuracy and effective rank of the pooled entry vectors (core/study/layer_analyses.h),
// written to W/analyses/NAME/{probe,rank}.{csv,json}; `loupe analyze summary`: one row per SAE
// (core/study/layer_summary.h), W/analyses/NAME/summary.{csv,json}.
#include <iostream>

#include "app/cli/commands.h"
#include "core/error.h"
#include "core/jobs/progress_printer.h"
#include "core/study/layer_analysis_run.h"

namespace loupe::cli {

namespace {

study::LayerAnalysisRequest request_of(const Args& args) {
  study::LayerAnalysisRequest request;
  request.workspace = args.get("workspace");
  request.store = args.get_or("store", request.store);
  if (args.has("hooks")) request.hooks = split_list(args.get("hooks"));
  request.split = args.get_or("split", "");
  // --by figure|caption: that gender target and language (the spelling of the other analyses);
  // --targets names them one by one.
  if (args.has("by") && args.has("targets")) throw InputError("give --by or --targets, not both");
  if (args.has("targets")) request.targets = split_list(args.get("targets"));
  if (args.has("by")) {
    const std::string by = args.get("by");
    if (by != "figure" && by != "caption") throw InputError("--by takes figure or caption, not '" + by + "'");
    request.targets = {by, "language"};
  }
  request.C = args.get_double("C", request.C);
  request.folds = args.get_int("folds", request.folds);
  request.seed = uint64_t(args.get_int("seed", 0));
  request.test_split = args.get_or("test-split", "");
  if (args.get_int("seed", 0) < 0) throw InputError("--seed must be at least 0");
  return request;
}

// Prints a table as CSV, or with --json as a JSON list.
void print_table(const Args& args, const util::Table& table) {
  std::cout << (args.has("json") ? table.json().dump() + "\n" : table.csv());
}

// Runs one analysis as a logged run and writes FILE.csv and FILE.json into its folder.
int run_layer_analysis(const Args& args, const std::string& command, study::LayerAnalysis which) {
  const study::LayerAnalysisRequest request = request_of(args);
  const auto table = jobs::run_in_foreground(command, [&](jobs::JobContext& job) {
    return study::layer_analysis_logged(request, which, args.get_or("out", "layers"), args.has("export-data"), job);
  }, std::cerr).as<util::Table>();
  print_table(args, table);
  return 0;
}

int run_analyze_summary(const Args& args) {
  study::LayerSummaryRequest request;
  request.workspace = args.get("workspace");
  request.grouping = analysis::parse_grouping(args.get_or("by", "caption"));
  request.split = args.get_or("split", "");
  if (args.has("align-threshold")) request.align_threshold = args.get_double("align-threshold", 0.5);
  request.device = args.get_or("device", "cpu");
  const auto table = jobs::run_in_foreground("analyze summary", [&](jobs::JobContext& job) {
    return study::layer_summary_logged(request, args.get_or("out", "layers"), job);
  }, std::cerr).as<util::Table>();
  print_table(args, table);
  return 0;
}

std::vector<OptionSpec> shared_options() {
  return {{"workspace", "DIR", "workspace folder (loupe init)"},
          {"store", "NAME", "the store in DIR/stores (default acts)"},
          {"hooks", "NAMES", "comma-separated hooks of the store (default: all of them)"},
          {"split", "NAME", "only the entries of this split (eval = balanced); default: every entry"},
          {"out", "NAME", "write DIR/analyses/NAME (default layers)"},
          {"json", "", "print the table as a JSON list"}};
}

}  // namespace

CommandSpec analyze_probe_command() {
  std::vector<OptionSpec> options = shared_options();
  options.insert(options.end(), {{"by", "figure|caption", "probe that gender (the figure's or the caption's) and language"},
                                 {"targets", "LIST", "what to predict: figure, caption, language (default all three)"},
                                 {"C", "C", "inverse L2 strength, as scikit-learn's LogisticRegression (default 1.0)"},
                                 {"folds", "K", "stratified folds (default 5)"},
                                 {"seed", "S", "the fold shuffle's seed (default 0)"},
                                 {"test-split", "NAME", "fit on --split (default: every other split) and score on this one instead of k folds"},
                                 {"export-data", "", "also write every probe's vectors, labels and folds to probe_data.safetensors "
                                                     "(scripts/check-probe-sklearn.py compares scikit-learn on them)"}});
  return {"analyze probe",
          "linear-probe accuracy per hook and language: figure gender, stated gender, language",
          "loupe analyze probe --workspace DIR [--store NAME] [--hooks NAMES] [--by figure|caption | --targets figure,caption,language] "
          "[--C 1.0] [--folds 5] [--seed 0] [--split NAME] [--test-split NAME] [--out NAME] [--export-data] [--json]",
          options,
          [](const Args& args) { return run_layer_analysis(args, "analyze probe", study::LayerAnalysis::Probe); }};
}

CommandSpec analyze_rank_command() {
  return {"analyze rank",
          "effective rank (95% variance) and information content per hook and language, and their differences",
          "loupe analyze rank --workspace DIR [--store NAME] [--hooks NAMES] [--split NAME] [--out NAME] [--json]",
          shared_options(),
          [](const Args& args) { return run_layer_analysis(args, "analyze rank", study::LayerAnalysis::Rank); }};
}

CommandSpec analyze_summary_command() {
  return {"analyze summary",
          "the per-layer table over every SAE of the workspace: L0, dead latents, mean activation, effective rank and "
          "information per language, alignment, gender bias correlation",
          "loupe analyze summary --workspace DIR [--by figure|caption] [--split NAME] [--align-threshold R] [--out NAME] "
          "[--device cpu|cuda] [--json]",
          {{"workspace", "DIR", "workspace folder (loupe init)"},
           {"by", "figure|caption", "gender groups for the bias correlation (default caption)"},
           {"split", "NAME", "only the entries of this split (eval = balanced); default: every entry"},
           {"align-threshold", "R", "alignment_r at or above which a latent counts as aligned (default 0.5)"},
           {"out", "NAME", "write DIR/analyses/NAME/summary.{csv,json} (default layers)"},
           {"device", "cpu|cuda", "where to encode (default cpu)"},
           {"json", "", "print the table as a JSON list"}},
          run_analyze_summary};
}

}  // namespace loupe::cli
