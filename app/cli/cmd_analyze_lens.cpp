// `loupe analyze lens`: the logit lens and direct logit attribution of the gender logit difference
// over one image or a dataset split (core/study/logit_lens.h), written to W/analyses/NAME/
// {lens,dla,lens_entries}.{csv,json}.
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/model_args.h"
#include "app/cli/study_args.h"
#include "core/error.h"
#include "core/jobs/progress_printer.h"
#include "core/model/inputs.h"
#include "core/study/lens_run.h"
#include "core/workspace/workspace.h"

namespace loupe::cli {

namespace {

// `analyze lens` and `analyze dla` run the same captions once and write both tables; they differ in
// which table they print.
int run_analyze_lens(const Args& args, const std::string& command) {
  const workspace::Workspace space = workspace::Workspace::open(args.get("workspace"));
  const std::vector<study::DatasetImage> images = study_images(args, space);
  const std::vector<Language> langs = study_languages(args);
  const int64_t max_new_tokens = args.get_count("max-new-tokens", 24);
  study::LensRun run;
  run.command = command;
  run.image = args.get_or("image", "");
  run.split = args.get_or("split", "");
  run.limit = args.get_count("limit", 0);
  run.where = args.all("where");
  run.lang = args.get_or("lang", "both");
  run.name = args.get_or("out", "lens");
  const study::LensTables tables = study::logit_lens_logged(space, run, langs, [&] {
    study::LensEntries read;
    jobs::run_in_foreground(command, [&](jobs::JobContext& job) {
      const auto model = model::load_vlm(space.model().string(), load_options(args), &job);
      const auto tokenizer = model::model_tokenizer(space.model().string());
      read.layers = model->config.text.layers;
      read.heads = model->config.text.heads;
      job.set_stage("captioning " + std::to_string(images.size()) + " images");
      read.entries = study::logit_lens(*model, *tokenizer, images, langs, max_new_tokens, &job);
      return jobs::JobResult{};
    }, std::cerr);
    return read;
  });
  if (command == "analyze dla") {
    std::cout << (args.has("json") ? tables.dla.json().dump() + "\n" : tables.dla.csv());
  } else if (args.has("json")) {
    std::cout << nlohmann::ordered_json{{"lens", tables.lens.json()}, {"dla", tables.dla.json()}}.dump() << "\n";
  } else {
    std::cout << tables.lens.csv() << "\n" << tables.dla.csv();
  }
  return 0;
}

std::vector<OptionSpec> lens_options(const char* json_help) {
  return {{"workspace", "DIR", "workspace folder (loupe init)"},
          {"image", "PATH", "one image"},
          {"split", "S", "or every row of this dataset split"},
          {"limit", "N", "--split: the first N rows"},
          where_option(),
          {"lang", "en|ar|both", "caption language(s) (default both)"},
          {"max-new-tokens", "N", "longest caption in tokens (default 24)"},
          {"out", "NAME", "write DIR/analyses/NAME (default lens): lens, dla and lens_entries tables"},
          {"dtype", "f32|bf16|f16", "model dtype (default f32)"},
          {"device", "cpu|cuda", "device (default cpu)"},
          {"json", "", json_help}};
}

}  // namespace

CommandSpec analyze_lens_command() {
  return {"analyze lens",
          "logit lens and direct logit attribution of the female − male logit at each caption's gendered word",
          "loupe analyze lens --workspace DIR (--image PATH | --split S [--limit N]) [--lang en|ar|both] "
          "[--max-new-tokens N] [--out NAME] [--dtype f32|bf16|f16] [--device cpu|cuda] [--json]",
          lens_options("print {lens: [...], dla: [...]}"),
          [](const Args& args) { return run_analyze_lens(args, "analyze lens"); }};
}

CommandSpec analyze_dla_command() {
  return {"analyze dla",
          "direct logit attribution of the female − male logit per layer's attention and MLP (as analyze lens, "
          "printing the DLA table)",
          "loupe analyze dla --workspace DIR (--image PATH | --split S [--limit N]) [--lang en|ar|both] "
          "[--max-new-tokens N] [--out NAME] [--dtype f32|bf16|f16] [--device cpu|cuda] [--json]",
          lens_options("print the DLA table as a JSON list"),
          [](const Args& args) { return run_analyze_lens(args, "analyze dla"); }};
}

}  // namespace loupe::cli
