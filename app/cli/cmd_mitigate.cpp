// `loupe mitigate`: a workspace's synth split captioned with and without a steering or ablation set, and per
// language the misgendering, bias measures, BLEU, ROUGE-L, changed captions and McNemar's test of
// the error flips (core/study/mitigation.h); written to W/analyses/NAME/mitigation.json.
#include <iomanip>
#include <iostream>
#include <optional>

#include "app/cli/commands.h"
#include "app/cli/model_args.h"
#include "core/error.h"
#include "core/io/dataset.h"
#include "core/jobs/progress_printer.h"
#include "core/model/lora_files.h"
#include "core/study/mitigation.h"
#include "core/study/steering_set.h"
#include "core/util/atomic_file.h"
#include "core/workspace/workspace.h"

namespace loupe::cli {

namespace fs = std::filesystem;

namespace {

std::string share(const nlohmann::json& value) {
  if (value.is_null()) return "n/a";
  std::ostringstream text;
  text << std::fixed << std::setprecision(1) << 100.0 * value.get<double>() << "%";
  return text.str();
}

std::string fixed(const nlohmann::json& value, int digits) {
  if (value.is_null()) return "n/a";
  std::ostringstream text;
  text << std::fixed << std::setprecision(digits) << value.get<double>();
  return text.str();
}

void print_language(const nlohmann::ordered_json& result, const char* lang) {
  const auto& figures = result[lang];
  std::cout << lang << "                      baseline  → intervened\n";
  for (const char* key : {"misgendered_counter", "misgendered_stereo", "gendered_neutral"})
    std::cout << "  " << std::left << std::setw(22) << key << share(figures["baseline"][key]) << "  → "
              << share(figures["intervened"][key]) << "\n";
  std::cout << "  " << std::setw(22) << "bleu" << fixed(figures["baseline"]["bleu"], 1) << "  → "
            << fixed(figures["intervened"]["bleu"], 1) << "\n"
            << "  " << std::setw(22) << "rouge_l" << fixed(figures["baseline"]["rouge_l"], 3) << "  → "
            << fixed(figures["intervened"]["rouge_l"], 3) << "\n"
            << "  captions changed " << share(figures["changed"]) << "; gender errors fixed "
            << figures["error_flips"]["fixed"] << ", introduced " << figures["error_flips"]["introduced"] << " (McNemar p "
            << fixed(figures["error_flips"]["mcnemar_p"], 4) << ")\n";
  for (const char* kind : {"counter", "stereotypical"}) {
    const auto& changes = figures["gender_changes"][kind];
    std::cout << "  gender words, " << kind << ": wrong → none " << changes["wrong_to_none"] << ", right → none "
              << changes["right_to_none"] << ", wrong → right " << changes["wrong_to_right"] << ", right → wrong "
              << changes["right_to_wrong"] << ", none → right " << changes["none_to_right"] << ", none → wrong "
              << changes["none_to_wrong"] << "\n";
  }
  const std::string intervened = std::string(lang) + "_intervened";
  int shown = 0;
  for (const auto& caption : result["captions"])
    if (caption[lang] != caption[intervened] && shown++ < 3)
      std::cout << "    " << caption[lang].get<std::string>() << "\n      → " << caption[intervened].get<std::string>() << "\n";
}

int run_mitigate(const Args& args) {
  const workspace::Workspace space = workspace::Workspace::open(args.get("workspace"));
  study::MitigationRequest request;
  if (!args.has("set") && !args.has("adapter")) throw InputError("--set or --adapter is required; see `loupe mitigate --help`");
  if (args.has("set")) request.set = study::read_intervention_set(args.get("set"));
  if (args.has("adapter")) request.adapter_folder = adapter_folder(args.get("adapter"), &space);
  request.evaluation.split = io::canonical_split(args.get("split"));
  request.evaluation.limit = args.get_count("limit", 0);
  request.evaluation.max_new_tokens = args.get_count("max-new-tokens", request.evaluation.max_new_tokens);
  const std::string name = args.get_or("out", "mitigate");
  workspace::check_entry_name(name, "--out");
  const io::Dataset dataset = io::load_dataset(space.dataset().string());
  workspace::RunRecord record;
  record.command = "mitigate";
  record.parameters = {{"set", args.get_or("set", "")}, {"adapter", request.adapter_folder}, {"split", request.evaluation.split},
                       {"limit", request.evaluation.limit}, {"out", name}};
  workspace::add_inputs(record, space.study_files());
  if (args.has("set")) workspace::add_inputs(record, {std::filesystem::absolute(args.get("set"))});
  if (args.has("adapter"))
    workspace::add_inputs(record, {fs::path(request.adapter_folder) / model::kAdapterConfigName,
                                   fs::path(request.adapter_folder) / model::kAdapterWeightsName});
  std::optional<nlohmann::ordered_json> result;
  space.run_logged(record, [&](workspace::RunRecord& logged) {
    result = jobs::run_in_foreground("mitigate", [&](jobs::JobContext& job) {
      const auto model = model::load_vlm(space.model().string(), load_options(args), &job);
      const auto tokenizer = model::model_tokenizer(space.model().string());
      if (args.has("adapter")) request.adapter = model::load_peft_adapter(request.adapter_folder, *model, space.model().string());
      return study::mitigate(*model, *tokenizer, dataset, request, job);
    }, std::cerr).as<nlohmann::ordered_json>();
    const fs::path folder = space.analyses_dir() / name;
    fs::create_directories(folder);
    util::write_file_atomic((folder / "mitigation.json").string(), result->dump(2) + "\n");
    logged.message = std::to_string((*result)["images"].get<int64_t>()) + " images; " + (folder / "mitigation.json").string();
  });
  if (args.has("json")) {
    std::cout << result->dump() << "\n";
    return 0;
  }
  std::cout << "mitigate: " << (*result)["images"] << " images of the " << request.evaluation.split << " split\n";
  for (const char* lang : {"en", "ar"}) print_language(*result, lang);
  return 0;
}

}  // namespace

CommandSpec mitigate_command() {
  return {"mitigate",
          "caption a synth split with and without a steering or ablation set: misgendering, bias, BLEU, ROUGE-L, McNemar",
          "loupe mitigate --workspace DIR --split S [--set FILE.json] [--adapter NAME] [--limit N] [--out NAME] [--max-new-tokens N] "
          "[--dtype f32|bf16|f16] [--device cpu|cuda] [--json]",
          {{"workspace", "DIR", "workspace folder (loupe init) over a `loupe synth` dataset"},
           {"split", "S", "the split to caption: balanced (eval), counter or train"},
           {"set", "FILE.json", "the steering and ablation set (docs/interventions.md) applied to every caption of the second run"},
           {"adapter", "NAME|DIR", "a LoRA adapter (`loupe finetune`, W/adapters/NAME) for the second run, alone or with --set"},
           {"limit", "N", "only the split's first N rows"},
           {"out", "NAME", "write DIR/analyses/NAME/mitigation.json (default mitigate)"},
           {"max-new-tokens", "N", "longest caption in tokens (default 24)"},
           {"dtype", "f32|bf16|f16", "model dtype (default f32)"},
           {"device", "cpu|cuda", "device (default cpu)"},
           {"json", "", "print {split, images, set, ablations, adapter, en: {baseline, intervened, changed, error_flips, gender_changes}, ar: ..., captions: [...]}"}},
          run_mitigate};
}

}  // namespace loupe::cli
