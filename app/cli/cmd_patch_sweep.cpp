// `loupe patch-sweep`: a clean and a corrupted image (the same scene with a woman and with a man),
// every (layer, position) of a block site restored from the clean run in turn, and how much of the
// clean gender logit difference each restores (core/study/patch_study.h); written to
// W/analyses/NAME/patch.{csv,json}; `loupe pairs`: the dataset's clean / corrupt pairs for it
// (core/study/counterfactual_pairs.h).
#include <iostream>
#include <optional>

#include "app/cli/commands.h"
#include "app/cli/model_args.h"
#include "core/error.h"
#include "core/jobs/progress_printer.h"
#include "core/io/dataset.h"
#include "core/study/counterfactual_pairs.h"
#include "core/study/patch_study.h"
#include "core/workspace/workspace.h"

namespace loupe::cli {

namespace {

int run_patch_sweep(const Args& args) {
  const workspace::Workspace space = workspace::Workspace::open(args.get("workspace"));
  study::GenderPatchRequest request;
  request.clean_image = args.get("clean");
  request.corrupt_image = args.get("corrupt");
  request.lang = parse_language(args.get_or("lang", "en"), "--lang");
  request.hook = args.get_or("hook", request.hook);
  request.positions = parse_positions(args.get_or("positions", "all"));
  request.batch = args.get_int("batch", request.batch);
  request.max_new_tokens = args.get_count("max-new-tokens", request.max_new_tokens);
  request.metric = study::parse_patch_metric(args.get_or("metric", "gender-logit-diff"));
  const std::string method = args.get_or("method", "exact");
  request.method = study::parse_patch_method(method);
  const std::string name = args.get_or("out", "patch");
  workspace::check_entry_name(name, "--out");
  workspace::RunRecord record;
  record.command = "patch-sweep";
  record.parameters = {{"clean", request.clean_image}, {"corrupt", request.corrupt_image}, {"lang", language_code(request.lang)},
                       {"hook", request.hook}, {"positions", positions_word(request.positions)},
                       {"metric", study::patch_metric_word(request.metric)}, {"method", method}, {"out", name}};
  workspace::add_inputs(record, space.model_files());
  workspace::add_inputs(record, {std::filesystem::absolute(request.clean_image), std::filesystem::absolute(request.corrupt_image)});
  std::optional<study::GenderPatch> result;
  space.run_logged(record, [&](workspace::RunRecord& logged) {
    result = jobs::run_in_foreground("patch-sweep", [&](jobs::JobContext& job) {
      const auto model = model::load_vlm(space.model().string(), load_options(args), &job);
      const auto tokenizer = model::model_tokenizer(space.model().string());
      return study::gender_patch_sweep(*model, *tokenizer, request, job);
    }, std::cerr).as<study::GenderPatch>();
    util::write_table_files(space.analyses_dir() / name, "patch", result->table);
    logged.message = std::to_string(result->table.row_count()) + " cells; " + (space.analyses_dir() / name).string();
  });
  const nlohmann::json rank_correlation =
      result->rank_correlation ? nlohmann::json(*result->rank_correlation) : nlohmann::json();
  if (args.has("json")) {
    std::cout << nlohmann::ordered_json{{"caption", result->caption},
                                        {"metric", study::patch_metric_word(request.metric)},
                                        {"method", method},
                                        {"female_word", result->female_word},
                                        {"male_word", result->male_word},
                                        {"target_word", result->target_word},
                                        {"clean_metric", result->clean_metric},
                                        {"corrupt_metric", result->corrupt_metric},
                                        {"rank_correlation", rank_correlation},
                                        {"cells", result->table.json()}}
                     .dump()
              << "\n";
    return 0;
  }
  std::cout << "patch-sweep: clean caption '" << result->caption << "', "
            << (request.metric == study::PatchMetric::GenderLogitDiff ? result->female_word + " − " + result->male_word
                                                                      : "log p(" + result->target_word + ")")
            << ": clean " << result->clean_metric << ", corrupt " << result->corrupt_metric;
  if (result->rank_correlation) std::cout << "; attribution vs exact rank correlation " << *result->rank_correlation;
  std::cout << "\n" << result->table.csv();
  return 0;
}

int run_pairs(const Args& args) {
  const workspace::Workspace space = workspace::Workspace::open(args.get("workspace"));
  const std::string split = args.has("split") ? io::canonical_split(args.get("split")) : "";
  const std::string name = args.get_or("out", "pairs");
  workspace::check_entry_name(name, "--out");
  const util::Table pairs = study::counterfactual_pairs(io::load_dataset(space.dataset().string()), split);
  util::write_table_files(space.analyses_dir() / name, "pairs", pairs);
  std::cout << (args.has("json") ? pairs.json().dump() + "\n" : pairs.csv());
  return 0;
}

}  // namespace

CommandSpec pairs_command() {
  return {"pairs",
          "clean / corrupt pairs for patch-sweep: the dataset's rows of one scene and activity with a woman and a man",
          "loupe pairs --workspace DIR [--split S] [--out NAME] [--json]",
          {{"workspace", "DIR", "workspace folder (loupe init) over a dataset with gender, scene and activity columns"},
           {"split", "S", "only this split's rows (eval = balanced); default every row"},
           {"out", "NAME", "write DIR/analyses/NAME/pairs.{csv,json} (default pairs)"},
           {"json", "", "print the pairs as a JSON list"}},
          run_pairs};
}

CommandSpec patch_sweep_command() {
  return {"patch-sweep",
          "restore each (layer, position) of the clean run in the corrupted one: where the figure's gender enters",
          "loupe patch-sweep --workspace DIR --clean IMG --corrupt IMG [--lang en|ar] [--hook 'blocks.{l}.hook_resid_post'] "
          "[--positions all|image|text|template|last|LIST] [--metric gender-logit-diff|target-logprob] "
          "[--method exact|attribution|both] [--batch 16] [--out NAME] [--json]",
          {{"workspace", "DIR", "workspace folder (loupe init): its model"},
           {"clean", "IMG", "the clean image (e.g. a scene with a woman)"},
           {"corrupt", "IMG", "the corrupted image (the same scene with a man), the same size"},
           {"lang", "en|ar", "the caption language (default en)"},
           {"hook", "NAME", "a block site with {l} for the layer (default blocks.{l}.hook_resid_post)"},
           {"positions", "WORDS", "positions to restore (default all; text: the caption before the gendered word)"},
           {"metric", "NAME", "gender-logit-diff (the female word's logit minus the male word's at the clean caption's "
                              "first gendered word, default) or target-logprob (that word's log-probability)"},
           {"method", "NAME", "exact (one patched run a cell, default), attribution (gradient x (clean - corrupt), one "
                              "backward pass) or both, with their rank correlation"},
           {"batch", "B", "patched copies per forward pass (default 16)"},
           {"max-new-tokens", "N", "longest clean caption in tokens (default 24)"},
           {"out", "NAME", "write DIR/analyses/NAME/patch.{csv,json} (default patch)"},
           {"dtype", "f32|bf16|f16", "model dtype (default f32)"},
           {"device", "cpu|cuda", "device (default cpu)"},
           {"json", "", "print {caption, metric, method, female_word, male_word, target_word, clean_metric, corrupt_metric, "
                        "rank_correlation, cells: [...]}"}},
          run_patch_sweep};
}

}  // namespace loupe::cli
