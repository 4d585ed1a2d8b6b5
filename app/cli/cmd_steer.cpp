// `loupe steer`: one image of a workspace's study captioned with a steering set against the
// unsteered baseline, at the set's alphas or over an alpha sweep (core/study/steer_sweep.h); or a
// dataset split's dose-response table (core/study/dose_response.h).
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include "app/cli/commands.h"
#include "app/cli/model_args.h"
#include "app/cli/study_args.h"
#include "core/error.h"
#include "core/io/dataset.h"
#include "core/jobs/progress_printer.h"
#include "core/model/inputs.h"
#include "core/study/steer_sweep.h"
#include "core/study/dose_response.h"
#include "core/study/dose_response_run.h"
#include "core/study/steering_set.h"
#include "core/workspace/workspace.h"

namespace loupe::cli {

namespace fs = std::filesystem;

namespace {

const char* kept_word(const std::optional<bool>& kept) { return !kept ? "-" : *kept ? "yes" : "no"; }

void print_row(const std::string& label, Language lang, const study::SweepCaption& caption) {
  std::printf("%-10s %-3s %-8s %-5s %-8s %9.3f  %s\n", label.c_str(), language_code(lang), eval::gender_name(caption.gender),
              kept_word(caption.scene_kept), kept_word(caption.activity_kept), caption.log_likelihood, caption.text.c_str());
}

// The dose-response over a split: W/analyses/NAME/dose_response.csv and .json, logged to runs.jsonl.
int run_dose_response(const Args& args, const workspace::Workspace& space, const study::SweepRequest& sweep) {
  study::DoseResponseRun run;
  run.split = args.get("split");
  run.set_file = args.get("set");
  run.sweep = args.get_or("sweep", "");
  run.lang = args.get_or("lang", "both");
  run.where = args.all("where");
  run.limit = args.get_count("limit", 0);
  run.max_new_tokens = sweep.max_new_tokens;
  run.batch = args.get_count("batch", 8);
  run.name = args.get_or("out", "steer");
  const util::Table table = study::dose_response_logged(space, run, [&](const std::vector<io::DatasetRow>& rows) {
    return jobs::run_in_foreground("steer", [&](jobs::JobContext& job) {
      const auto model = model::load_vlm(space.model().string(), load_options(args), &job);
      const auto tokenizer = model::model_tokenizer(space.model().string());
      job.set_stage("captioning " + std::to_string(rows.size()) + " rows");
      return study::dose_response(*model, *tokenizer, rows, sweep, job, run.batch);
    }, std::cerr).as<util::Table>();
  });
  std::cout << (args.has("json") ? table.json().dump() + "\n" : table.csv());
  return 0;
}

int run_steer(const Args& args) {
  const workspace::Workspace space = workspace::Workspace::open(args.get("workspace"));
  study::SweepRequest request;
  request.langs = study_languages(args);
  request.set = study::read_steering_set(args.get("set"));
  if (args.has("sweep")) request.alphas = study::parse_alpha_sweep(args.get("sweep"));
  request.max_new_tokens = args.get_count("max-new-tokens", request.max_new_tokens);
  if (args.has("split")) {
    if (args.has("image")) throw InputError("give --image PATH (one image) or --split S (every row of a split)");
    return run_dose_response(args, space, request);
  }
  if (args.has("batch")) throw InputError("--batch sets how many rows of a --split share a generation");
  const std::vector<study::DatasetImage> images = study_images(args, space);
  request.image = images[0].image;
  if (images[0].row >= 0)  // its labels (scene and activity) decide "kept"
    request.labels = io::load_dataset(space.dataset().string()).rows[size_t(images[0].row)].labels;

  const std::string folder = space.model().string();
  const auto result = jobs::run_in_foreground("steer", [&](jobs::JobContext& job) {
    const auto model = model::load_vlm(folder, load_options(args), &job);
    const auto tokenizer = model::model_tokenizer(folder);
    job.set_stage("captioning");
    return study::steer_sweep(*model, *tokenizer, request, &job);
  }, std::cerr).as<study::SweepResult>();

  if (args.has("json")) {
    std::cout << result.to_json().dump() << "\n";
    return 0;
  }
  std::printf("%-10s %-3s %-8s %-5s %-8s %9s  %s\n", "alpha", "", "gender", "scene", "activity", "log p", "caption");
  for (size_t l = 0; l < result.langs.size(); ++l) print_row("baseline", result.langs[l], result.baseline[l]);
  for (const study::SweepStep& step : result.steps) {
    char alpha[32];
    std::snprintf(alpha, sizeof alpha, "%g", step.alpha.value_or(0));
    for (size_t l = 0; l < result.langs.size(); ++l) print_row(step.alpha ? alpha : "set", result.langs[l], step.captions[l]);
  }
  return 0;
}

}  // namespace

CommandSpec steer_command() {
  return {"steer",
          "caption an image with a steering set against the unsteered baseline, optionally over an alpha sweep",
          "loupe steer --workspace DIR (--image PATH | --split S [--limit N] [--batch N] [--out NAME]) --set FILE.json "
          "[--lang en|ar|both] [--sweep alpha=FROM:TO:STEP] [--max-new-tokens N] [--dtype f32|bf16|f16] "
          "[--device cpu|cuda] [--json]",
          {{"workspace", "DIR", "workspace folder (loupe init): its model, and its dataset's labels for the image"},
           {"image", "PATH", "the image to caption"},
           {"split", "S", "or every row of this dataset split: the dose-response table, written to "
                          "DIR/analyses/NAME/dose_response.csv and .json"},
           {"limit", "N", "--split: the first N rows of the split"},
           {"batch", "N", "--split: rows whose sweeps share one batched generation (default 8; lower it for a large model)"},
           where_option(),
           {"out", "NAME", "--split: the analysis folder's name (default steer)"},
           {"set", "FILE.json", "the steering set: a JSON list of {hook, direction, alpha, positions, mode} (docs/interventions.md)"},
           {"lang", "en|ar|both", "caption language(s) (default both)"},
           {"sweep", "alpha=FROM:TO:STEP", "every steer of the set takes each alpha in turn; one batched generation per language"},
           {"max-new-tokens", "N", "longest caption in tokens (default 24)"},
           {"dtype", "f32|bf16|f16", "model dtype (default f32)"},
           {"device", "cpu|cuda", "device (default cpu)"},
           {"json", "", "print {baseline: {en, ar}, steps: [{alpha, en, ar, gender_en, gender_ar, ...}]}; "
                        "--split: the table as a JSON list"}},
          run_steer};
}

}  // namespace loupe::cli
