// `loupe analyze lens`: the logit lens and direct logit attribution of the gender logit difference
// over one image or a dataset split (core/study/logit_lens.h), written to W/analyses/NAME/
// {lens,dla,lens_entries}.{csv,json}.
#include <filesystem>
#include <iostream>
#include <optional>

#include "app/cli/commands.h"
#include "app/cli/model_args.h"
#include "app/cli/study_args.h"
#include "core/error.h"
#include "core/jobs/progress_printer.h"
#include "core/model/inputs.h"
#include "core/study/logit_lens.h"
#include "core/workspace/workspace.h"

namespace loupe::cli {

namespace fs = std::filesystem;

namespace {

// `analyze lens` and `analyze dla` run the same captions once and write both tables; they differ in
// which table they print.
int run_analyze_lens(const Args& args, const std::string& command) {
  const workspace::Workspace space = workspace::Workspace::open(args.get("workspace"));
  const std::vector<study::DatasetImage> images = study_images(args, space);
  const std::vector<Language> langs = study_languages(args);
  const int64_t max_new_tokens = args.get_count("max-new-tokens", 24);
  const std::string name = args.get_or("out", "lens");
  workspace::check_entry_name(name, "--out");
  workspace::RunRecord record;
  record.command = command;
  record.parameters = {{"image", args.get_or("image", "")}, {"split", args.get_or("split", "")}, {"limit", args.get_count("limit", 0)},
                       {"where", args.all("where")}, {"lang", args.get_or("lang", "both")}, {"out", name}};
  workspace::add_inputs(record, space.study_files());
  std::optional<util::Table> lens, dla;
  space.run_logged(record, [&](workspace::RunRecord& logged) {
    std::vector<study::LensEntry> entries;
    int64_t layers = 0, heads = 0;
    jobs::run_in_foreground(command, [&](jobs::JobContext& job) {
      const auto model = model::load_vlm(space.model().string(), load_options(args), &job);
      const auto tokenizer = model::model_tokenizer(space.model().string());
      layers = model->config.text.layers;
      heads = model->config.text.heads;
      job.set_stage("captioning " + std::to_string(images.size()) + " images");
      entries = study::logit_lens(*model, *tokenizer, images, langs, max_new_tokens, &job);
      return jobs::JobResult{};
    }, std::cerr);
    if (entries.empty()) throw InputError("no caption named a gendered word with a one-token counterpart; nothing to read");
    lens = study::lens_table(entries, langs, layers);
    dla = study::dla_table(entries, langs, layers, heads);
    const fs::path folder = space.analyses_dir() / name;
    util::write_table_files(folder, "lens", *lens);
    util::write_table_files(folder, "dla", *dla);
    util::write_table_files(folder, "lens_entries", study::lens_entries_table(entries, layers));
    logged.message = std::to_string(entries.size()) + " entries with a gendered word; " + folder.string();
  });
  if (command == "analyze dla") {
    std::cout << (args.has("json") ? dla->json().dump() + "\n" : dla->csv());
  } else if (args.has("json")) {
    std::cout << nlohmann::ordered_json{{"lens", lens->json()}, {"dla", dla->json()}}.dump() << "\n";
  } else {
    std::cout << lens->csv() << "\n" << dla->csv();
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
