// `loupe ablate`: SAE latents of a workspace's SAE (zero or mean, replace or residual mode),
// attention heads (zero or mean) or attention to the image tokens (knockout) ablated while one
// image or a dataset split is captioned; the caption changes and the paired effect on the gender
// logit difference (core/study/ablation.h).
#include <cmath>
#include <filesystem>
#include <iostream>
#include <optional>

#include "app/cli/commands.h"
#include "app/cli/model_args.h"
#include "app/cli/study_args.h"
#include "core/error.h"
#include "core/jobs/progress_printer.h"
#include "core/model/inputs.h"
#include "core/study/ablation.h"
#include "core/util/atomic_file.h"
#include "core/util/id_list.h"
#include "core/workspace/workspace.h"

namespace loupe::cli {

namespace fs = std::filesystem;

namespace {

// --latents, --how, --analysis, --mode and --delta-scale of the SAE `sae_name`.
void latent_ablation(const Args& args, const workspace::Workspace& space, const std::string& sae_name,
                     study::AblationSpec& spec) {
  spec.kind = study::AblationSpec::Kind::Latents;
  spec.sae_folder = space.sae_dir(sae_name).string();
  spec.latents = util::parse_id_list(args.get("latents"), "--latents");
  const std::string mode = args.get_or("mode", "replace");
  if (mode != "replace" && mode != "residual") throw InputError("--mode takes replace or residual, not '" + mode + "'");
  if (mode == "replace" && args.has("delta-scale"))
    throw InputError("--delta-scale scales the residual mode's subtraction; add --mode residual");
  spec.residual = mode == "residual";
  spec.delta_scale = spec.residual ? args.get_double("delta-scale", 1.0) : 1.0;
  if (!std::isfinite(spec.delta_scale)) throw InputError("--delta-scale must be a finite number");
  if (spec.mean) {
    const fs::path csv = space.analyses_dir() / args.get_or("analysis", sae_name) / "latents.csv";
    if (!fs::exists(csv))
      throw InputError("--how mean reads each latent's mean from " + csv.string() + "; run `loupe analyze features --sae " +
                       sae_name + "` first (or name its --analysis)");
    spec.means_csv = csv.string();
  }
}

nlohmann::json parameters_of(const Args& args) {
  nlohmann::json parameters = nlohmann::json::object();
  for (const char* name : {"sae", "latents", "heads", "knockout", "how", "mode", "delta-scale", "positions", "lang", "image",
                           "split", "limit", "analysis", "out"})
    if (args.has(name)) parameters[name] = args.get(name);
  if (args.has("where")) parameters["where"] = args.all("where");
  return parameters;
}

// What --sae/--latents, --heads or --knockout ask for; returns the default analysis name.
std::string ablation_target(const Args& args, const workspace::Workspace& space, study::AblationSpec& spec) {
  const int given = int(args.has("sae")) + int(args.has("heads")) + int(args.has("knockout"));
  if (given != 1) throw InputError("ablate one thing: --sae NAME --latents LIST, --heads L.H,... or --knockout LAYERS");
  const std::string how = args.get_or("how", "zero");
  if (args.has("knockout") && args.has("how")) throw InputError("--how is for latents and heads; a knockout removes attention");
  if (how != "zero" && how != "mean") throw InputError("--how takes zero or mean, not '" + how + "'");
  spec.mean = how == "mean";
  if (!args.has("sae")) {
    for (const char* flag : {"latents", "mode", "delta-scale", "analysis"})
      if (args.has(flag)) throw InputError(std::string("--") + flag + " belongs to an SAE latent ablation (--sae)");
  }
  // A knockout blocks the non-image queries from the image keys unless told otherwise.
  spec.positions = parse_positions(args.get_or("positions", args.has("knockout") ? "non-image" : "all"));
  if (args.has("heads")) {
    spec.kind = study::AblationSpec::Kind::Heads;
    spec.heads = study::parse_heads(args.get("heads"));
    return "ablate-heads";
  }
  if (args.has("knockout")) {
    spec.kind = study::AblationSpec::Kind::Knockout;
    spec.layers = util::parse_id_list(args.get("knockout"), "--knockout");
    return "ablate-knockout";
  }
  const std::string sae_name = args.get("sae");
  workspace::check_entry_name(sae_name, "--sae");
  latent_ablation(args, space, sae_name, spec);
  return "ablate-" + sae_name;
}

int run_ablate(const Args& args) {
  const workspace::Workspace space = workspace::Workspace::open(args.get("workspace"));
  study::AblationSpec spec;
  const std::string default_name = ablation_target(args, space, spec);
  const std::vector<Language> langs = study_languages(args);
  const int64_t max_new_tokens = args.get_count("max-new-tokens", 24);

  const std::vector<study::DatasetImage> images = study_images(args, space);
  const std::string name = args.get_or("out", default_name);
  workspace::check_entry_name(name, "--out");

  std::vector<study::AblationEntry> entries;
  const auto run = [&] {
    entries = jobs::run_in_foreground("ablate", [&](jobs::JobContext& job) {
      const auto model = model::load_vlm(space.model().string(), load_options(args), &job);
      const auto tokenizer = model::model_tokenizer(space.model().string());
      const study::AblationRequest request = study::ablation_request(spec, *model, *tokenizer, images, langs, max_new_tokens, &job);
      job.set_stage("captioning " + std::to_string(images.size()) + " images");
      return study::ablate_images(*model, *tokenizer, images, request, &job);
    }, std::cerr).as<std::vector<study::AblationEntry>>();
  };
  const util::Table summary_of = [&] {
    if (args.has("image")) {
      run();
      return study::ablation_summary(entries, langs);
    }
    workspace::RunRecord record;
    record.command = "ablate";
    record.parameters = parameters_of(args);
    if (args.has("sae")) workspace::add_inputs(record, space.sae_files(args.get("sae")));
    workspace::add_inputs(record, space.study_files());
    std::optional<util::Table> summary;
    space.run_logged(record, [&](workspace::RunRecord& logged) {
      run();
      summary = study::ablation_summary(entries, langs);
      const fs::path folder = space.analyses_dir() / name;
      util::write_table_files(folder, "ablation", *summary);
      util::write_file_atomic((folder / "ablation_entries.csv").string(), study::ablation_entries_table(entries).csv());
      logged.message = std::to_string(entries.size()) + " entries; " + folder.string();
    });
    return *summary;
  }();

  if (args.has("json")) {
    std::cout << nlohmann::json{{"summary", summary_of.json()}, {"entries", study::ablation_entries_table(entries).json()}}.dump()
              << "\n";
    return 0;
  }
  for (const auto& entry : entries)
    std::cout << language_code(entry.lang) << "  " << entry.baseline << "\n    → " << entry.ablated << "\n";
  std::cout << summary_of.csv();
  return 0;
}

}  // namespace

CommandSpec ablate_command() {
  return {"ablate",
          "caption with SAE latents, attention heads or attention to the image ablated: caption changes and the paired "
          "effect on the gender logit difference",
          "loupe ablate --workspace DIR (--sae NAME --latents 3,17 | --heads 2.1,1.1 | --knockout 1,2) "
          "(--image PATH | --split S [--limit N] [--out NAME]) "
          "[--how zero|mean] [--analysis NAME] [--mode replace|residual] [--delta-scale D] "
          "[--positions all|image|text|template|non-image|LIST] [--lang en|ar|both] [--max-new-tokens N] [--json]",
          {{"workspace", "DIR", "workspace folder (loupe init)"},
           {"sae", "NAME", "the SAE (DIR/saes/NAME); it is applied at its own hook"},
           {"latents", "LIST", "latents to ablate, e.g. 3,17"},
           {"heads", "L.H,...", "or attention heads to ablate (their hook_z), e.g. 2.1,1.1"},
           {"knockout", "LAYERS", "or layers where the --positions queries may not attend to the image tokens, e.g. 1,2"},
           {"image", "PATH", "one image"},
           {"split", "S", "or every row of this dataset split; writes DIR/analyses/NAME/ablation.csv, .json and "
                          "ablation_entries.csv"},
           {"limit", "N", "--split: the first N rows"},
           where_option(),
           {"out", "NAME", "--split: the analysis folder (default ablate-SAE, ablate-heads or ablate-knockout)"},
           {"how", "zero|mean", "the target: 0 (default) or the mean (latents: over the SAE's store; heads: over the "
                                "prompt positions of the images ablated)"},
           {"analysis", "NAME", "--how mean: the feature analysis whose latents.csv gives the means (default the SAE's name)"},
           {"mode", "replace|residual", "replace (default): the edited reconstruction plus the SAE's error term; "
                                        "residual: subtract --delta-scale times the latents' contribution"},
           {"delta-scale", "D", "--mode residual: the share of the contribution removed (default 1)"},
           {"positions", "WORDS", "where to ablate (a knockout: which queries): all (default; knockout: non-image), image, "
                                  "text (the generated tokens), template, non-image or a list"},
           {"lang", "en|ar|both", "caption language(s) (default both)"},
           {"max-new-tokens", "N", "longest caption in tokens (default 24)"},
           {"dtype", "f32|bf16|f16", "model dtype (default f32)"},
           {"device", "cpu|cuda", "device (default cpu)"},
           {"json", "", "print {summary: [...], entries: [...]}"}},
          run_ablate};
}

}  // namespace loupe::cli
