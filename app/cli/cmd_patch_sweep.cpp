// `loupe patch-sweep`: a clean and a corrupted image (the same scene with a woman and with a man),
// every (layer, position) of a block site restored from the clean run in turn, and how much of the
// clean gender logit difference each restores (core/study/patch_study.h); written to
// W/analyses/NAME/patch.{csv,json}; `loupe pairs`: the dataset's clean / corrupt pairs for it
// (core/study/counterfactual_pairs.h); `loupe patch-captions`: what one cell does to the captions
// (core/study/patched_captions.h).
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/model_args.h"
#include "core/error.h"
#include "core/jobs/progress_printer.h"
#include "core/io/dataset.h"
#include "core/study/counterfactual_pairs.h"
#include "core/study/patch_run.h"
#include "core/study/patch_study.h"
#include "core/study/patched_captions.h"
#include "core/workspace/workspace.h"

namespace loupe::cli {

namespace {

// The options patch-sweep and patch-captions share: the images, language, hook and caption length.
study::GenderPatchRequest sweep_request(const Args& args) {
  study::GenderPatchRequest request;
  request.clean_image = args.get("clean");
  request.corrupt_image = args.get("corrupt");
  request.lang = parse_language(args.get_or("lang", "en"), "--lang");
  request.hook = args.get_or("hook", request.hook);
  request.max_new_tokens = args.get_count("max-new-tokens", request.max_new_tokens);
  return request;
}

int run_patch_sweep(const Args& args) {
  const workspace::Workspace space = workspace::Workspace::open(args.get("workspace"));
  study::GenderPatchRequest request = sweep_request(args);
  request.positions = parse_positions(args.get_or("positions", "all"));
  request.batch = args.get_int("batch", request.batch);
  request.metric = study::parse_patch_metric(args.get_or("metric", "gender-logit-diff"));
  const std::string method = args.get_or("method", "exact");
  request.method = study::parse_patch_method(method);
  const study::GenderPatch result = study::patch_sweep_logged(space, request, args.get_or("out", "patch"), [&] {
    return jobs::run_in_foreground("patch-sweep", [&](jobs::JobContext& job) {
      const auto model = model::load_vlm(space.model().string(), load_options(args), &job);
      const auto tokenizer = model::model_tokenizer(space.model().string());
      return study::gender_patch_sweep(*model, *tokenizer, request, job);
    }, std::cerr).as<study::GenderPatch>();
  });
  const nlohmann::json rank_correlation =
      result.rank_correlation ? nlohmann::json(*result.rank_correlation) : nlohmann::json();
  if (args.has("json")) {
    std::cout << nlohmann::ordered_json{{"caption", result.caption},
                                        {"metric", study::patch_metric_word(request.metric)},
                                        {"method", method},
                                        {"female_word", result.female_word},
                                        {"male_word", result.male_word},
                                        {"target_word", result.target_word},
                                        {"clean_metric", result.clean_metric},
                                        {"corrupt_metric", result.corrupt_metric},
                                        {"rank_correlation", rank_correlation},
                                        {"cells", result.table.json()}}
                     .dump()
              << "\n";
    return 0;
  }
  std::cout << "patch-sweep: clean caption '" << result.caption << "', "
            << (request.metric == study::PatchMetric::GenderLogitDiff ? result.female_word + " − " + result.male_word
                                                                      : "log p(" + result.target_word + ")")
            << ": clean " << result.clean_metric << ", corrupt " << result.corrupt_metric;
  if (result.rank_correlation) std::cout << "; attribution vs exact rank correlation " << *result.rank_correlation;
  std::cout << "\n" << result.table.csv();
  return 0;
}

int run_patch_captions(const Args& args) {
  const workspace::Workspace space = workspace::Workspace::open(args.get("workspace"));
  const study::GenderPatchRequest request = sweep_request(args);
  if (!args.has("layer") || !args.has("position"))
    throw InputError("--layer and --position are required: a cell of the sweep's table (its layer and position columns)");
  const study::PatchCell cell{args.get_int("layer", -1), args.get_int("position", -1)};
  const auto continuations = jobs::run_in_foreground("patch-captions", [&](jobs::JobContext& job) {
    const auto model = model::load_vlm(space.model().string(), load_options(args), &job);
    const auto tokenizer = model::model_tokenizer(space.model().string());
    return study::patched_continuations(*model, *tokenizer, request, cell, job);
  }, std::cerr).as<std::vector<study::PatchedContinuation>>();
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& c : continuations) {
    out.push_back({{"lang", language_code(c.lang)}, {"prefix", c.prefix}, {"clean", c.clean}, {"corrupt", c.corrupt},
                   {"patched", c.patched}, {"unavailable", c.unavailable}});
    if (args.has("json")) continue;
    std::cout << language_code(c.lang) << "  the run continues after: '" << c.prefix << "'\n    clean:     " << c.clean
              << "\n    corrupted: " << c.corrupt << "\n    patched:   " << (c.unavailable.empty() ? c.patched : "(" + c.unavailable + ")")
              << "\n";
  }
  if (args.has("json")) std::cout << out.dump() << "\n";
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

CommandSpec patch_captions_command() {
  return {"patch-captions",
          "one patch-sweep cell's captions: the corrupted run with the clean activation restored there, in both languages",
          "loupe patch-captions --workspace DIR --clean IMG --corrupt IMG --layer L --position P [--lang en|ar] "
          "[--hook 'blocks.{l}.hook_resid_post'] [--json]",
          {{"workspace", "DIR", "workspace folder (loupe init): its model"},
           {"clean", "IMG", "the sweep's clean image"},
           {"corrupt", "IMG", "the sweep's corrupted image"},
           {"layer", "L", "the cell's layer"},
           {"position", "P", "the cell's position, as the sweep's table numbers it"},
           {"lang", "en|ar", "the sweep's language (default en); image positions map onto the other language too"},
           {"hook", "NAME", "the sweep's block site with {l} (default blocks.{l}.hook_resid_post)"},
           {"max-new-tokens", "N", "the sweep's caption length in tokens (default 24)"},
           {"dtype", "f32|bf16|f16", "model dtype (default f32)"},
           {"device", "cpu|cuda", "device (default cpu)"},
           {"json", "", "print [{lang, prefix, clean, corrupt, patched, unavailable}] (the sweep's language first)"}},
          run_patch_captions};
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
