// `loupe direction`: the gender mean-difference direction at a hook (core/study/gender_direction),
// labelled by the figure or by the model's own caption, per prompt language or pooled, written as
// safetensors with its provenance, ready for `loupe generate --steer HOOK=FILE:NAME@ALPHA`. With
// --workspace, a direction read off the workspace's stores or SAEs (core/study/store_directions.h)
// into W/directions/NAME.safetensors.
#include <filesystem>
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/model_args.h"
#include "core/error.h"
#include "core/jobs/progress_printer.h"
#include "core/jobs/runner.h"
#include "core/study/gender_direction.h"
#include "core/study/store_directions.h"
#include "core/study/unembedding_direction.h"
#include "core/workspace/workspace.h"
#include "core/tensor/convert.h"

namespace loupe::cli {

namespace {

std::vector<Language> direction_langs(const std::string& word) {
  if (word == "pooled") return {kLanguages.begin(), kLanguages.end()};
  if (word == "en" || word == "ar") return {parse_language(word)};
  throw InputError("--lang is en, ar or pooled (both prompt languages in one mean), not '" + word + "'");
}

void print_direction(const std::string& name, const study::StoreDirection& direction, const std::filesystem::path& file) {
  std::cout << "direction: " << name << " at " << direction.hook << " → " << file.string() << "\n  " << direction.description
            << "\n";
}

// --from unembedding: words' rows of the workspace model's unembedding (core/study/unembedding_direction.h).
int run_unembedding_direction(const Args& args) {
  const std::string name = args.get("name");
  workspace::check_entry_name(name, "--name");
  study::UnembeddingDirectionRequest request;
  request.toward = split_list(args.get_or("toward", ""));
  request.away = split_list(args.get_or("away", ""));
  request.hook = args.get_or("hook", "");
  const workspace::Workspace space = workspace::Workspace::open(args.get("workspace"));
  const auto model = model::load_vlm(space.model().string(), load_options(args));
  const auto tokenizer = model::model_tokenizer(space.model().string());
  const study::StoreDirection direction = study::unembedding_direction(*model, *tokenizer, request);
  print_direction(name, direction, study::save_direction(space.root(), name, direction));
  return 0;
}

int run_store_direction(const Args& args) {
  if (args.get_or("from", "") == "unembedding") return run_unembedding_direction(args);
  study::StoreDirectionRequest request;
  request.workspace = args.get("workspace");
  request.kind = args.get_or("from", "mean-difference");
  request.store = args.get_or("store", request.store);
  request.hook = args.get_or("hook", "");
  request.grouping = analysis::parse_grouping(args.get_or("by", "caption"));
  const std::string lang = args.get_or("lang", "pooled");
  if (lang != "pooled") request.lang = parse_language(lang, "--lang");
  request.split = args.get_or("split", "");
  request.component = args.get_int("component", 0);
  request.sae = args.get_or("sae", "");
  request.latent = args.get_int("latent", -1);
  for (const std::string& word : split_list(args.get_or("entries", ""))) {
    size_t used = 0;
    long long entry = -1;
    try {
      entry = std::stoll(word, &used);
    } catch (const std::exception&) {
    }
    if (used != word.size() || entry < 0) throw InputError("--entries takes store entry numbers N,N,..., not '" + word + "'");
    request.entries.push_back(entry);
  }
  if (request.kind == "selection" && request.entries.empty()) throw InputError("--from selection takes --entries N,N,...");
  if (request.kind == "decoder" && (request.sae.empty() || !args.has("latent")))
    throw InputError("--from decoder takes --sae NAME --latent J");
  if (request.kind != "decoder" && request.hook.empty()) throw InputError("--from " + request.kind + " takes --hook HOOK");
  const std::string name = args.get("name");
  workspace::check_entry_name(name, "--name");
  const study::StoreDirection direction = study::store_direction(request);
  print_direction(name, direction, study::save_direction(request.workspace, name, direction));
  return 0;
}

int run_direction(const Args& args) {
  if (args.has("workspace")) return run_store_direction(args);
  const std::string folder = model_folder(args);
  const std::string out = args.get("out");
  if (std::filesystem::path(out).extension() != ".safetensors") throw InputError("--out must name a .safetensors file");
  study::GenderDirectionRequest request;
  request.hook = args.get("hook");
  request.label = study::parse_gender_label(args.get_or("label", "caption"));
  request.langs = direction_langs(args.get_or("lang", "en"));
  const int64_t per_group = args.get_int("per-group", 100);
  if (per_group < 1) throw InputError("--per-group must be at least 1");
  const std::string dataset = args.get("data");
  request.images = study::dataset_gender_images(dataset, size_t(per_group));
  const std::string name = args.get_or("name", request.label == study::GenderLabel::Figure ? "gender" : "gender-caption");

  auto vlm = model::load_vlm(folder, load_options(args));
  model::parse_hook(request.hook, vlm->config);  // an unknown hook fails before any work
  const auto tokenizer = model::model_tokenizer(folder);
  jobs::JobRunner runner(1);
  const jobs::JobId id = runner.submit("direction", [&](jobs::JobContext& job) {
    return study::gender_direction(*vlm, *tokenizer, request, job);
  });
  const auto direction = jobs::run_in_foreground(runner, id, std::cerr).as<study::GenderDirection>();

  const nlohmann::json provenance = {
      {"kind", "gender mean difference"}, {"hook", request.hook}, {"label", study::gender_label_name(request.label)},
      {"langs", language_codes(request.langs)}, {"model", std::filesystem::absolute(folder).string()},
      {"dataset", std::filesystem::absolute(dataset).string()}, {"per_group", per_group},
      {"women", direction.women}, {"men", direction.men}, {"skipped", direction.skipped}};
  // The metadata maps the vector's name to its hook, as the desktop app's export does.
  tensor::save(out, {{name, direction.values}}, {{name, request.hook}, {"provenance", provenance.dump()}});
  std::cout << "direction: " << name << " at " << request.hook << " → " << out << "\n  " << direction.description << "\n";
  return 0;
}

}  // namespace

CommandSpec direction_command() {
  return {"direction",
          "the gender direction at a hook: mean(woman) − mean(man) over image tokens, as safetensors",
          "loupe direction [--model DIR] --data DIR --hook HOOK [--label figure|caption] [--lang en|ar|pooled] "
          "[--per-group N] [--name NAME] --out FILE.safetensors | loupe direction --workspace DIR "
          "[--from mean-difference|pc|decoder|selection] (--hook HOOK [--store NAME] [--by figure|caption] [--split S] [--component K] "
          "| --sae NAME --latent J) [--lang en|ar|pooled] --name NAME | loupe direction --workspace DIR --from unembedding "
          "--toward WORDS --away WORDS [--hook HOOK] --name NAME",
          options({model_options(),
                   {{"data", "DIR", "dataset folder whose image_caption.csv has a `gender` column"},
                    {"hook", "HOOK", "where to measure, e.g. blocks.0.hook_resid_post"},
                    {"label", "WHICH", "split by the figure shown, or by the gender the model's caption states (default caption)"},
                    {"lang", "LANG", "prompt language: en (default; with --workspace pooled), ar, or pooled (both in one mean)"},
                    {"per-group", "N", "at most N woman and N man images, the first in the CSV (default 100)"},
                    {"name", "NAME", "the tensor's key (default gender-caption, or gender for figure labels); "
                                     "with --workspace also the file, DIR/directions/NAME.safetensors"},
                    {"out", "FILE", "the .safetensors file to write (the key's metadata names its hook)"},
                    {"workspace", "DIR", "read the direction off this workspace's stores or SAEs instead of running the model"},
                    {"from", "KIND", "--workspace: mean-difference (default: female minus male pooled entries), pc, "
                                     "decoder, selection (the --entries minus the other entries), or unembedding "
                                     "(the final norm's gain times W_U[--toward] − W_U[--away])"},
                    {"toward", "WORDS", "--from unembedding: the words whose logits the direction raises, e.g. person"},
                    {"away", "WORDS", "--from unembedding: the words whose logits it lowers, e.g. woman,man"},
                    {"entries", "N,N,...", "--from selection: store entry numbers (a map's entry column)"},
                    {"store", "NAME", "--workspace: the store (default acts)"},
                    {"by", "figure|caption", "--workspace: the gender groups of a mean difference (default caption)"},
                    {"split", "S", "--workspace: only the entries of this split"},
                    {"component", "K", "--from pc: which principal component (default 0, the first)"},
                    {"sae", "NAME", "--from decoder: the SAE"},
                    {"latent", "J", "--from decoder: the latent whose decoder row is the direction"}}}),
          run_direction};
}

}  // namespace loupe::cli
