// `loupe eval-sae`: the caption loss of the workspace's model with the SAE's reconstruction spliced
// in at its hook, against the clean model and zero ablation (core/sae/sae_eval.h); writes
// W/saes/NAME/eval.json with the training summary's figures beside it.
#include <filesystem>
#include <iostream>
#include <sstream>

#include "app/cli/commands.h"
#include "core/error.h"
#include "core/io/dataset.h"
#include "core/jobs/progress_printer.h"
#include "core/model/inputs.h"
#include "core/sae/sae_eval.h"
#include "core/sae/sae_io.h"
#include "core/tensor/convert.h"
#include "core/util/atomic_file.h"
#include "core/util/json_fields.h"
#include "core/workspace/workspace.h"

namespace loupe::cli {

namespace {

// The positions to splice the SAE in: --positions, or those of the store it was trained on
// (cfg.json loupe_positions). Words the check cannot use are refused, blaming whichever gave them.
PositionSelector positions_of(const Args& args, const sae::Sae& trained, const std::string& cfg_path) {
  if (args.has("positions")) {
    const PositionSelector selector = parse_positions(args.get("positions"));
    require_positions(selector, sae::kCaptionLossPositions);
    return selector;
  }
  const std::string word = util::JsonFields(trained.config.extra, cfg_path).string("loupe_positions", "text");
  try {
    const PositionSelector selector = parse_positions(word);
    require_positions(selector, sae::kCaptionLossPositions);
    return selector;
  } catch (const InputError& error) {
    throw InputError(cfg_path + ": the SAE was trained at `loupe_positions` '" + word + "': " + error.what() +
                     "; train on a store of per-token vectors, or pass --positions");
  }
}

int run_eval_sae(const Args& args) {
  const workspace::Workspace space = workspace::Workspace::open(args.get("workspace"));
  const std::string name = args.get("sae");
  workspace::check_entry_name(name, "SAE");
  const std::filesystem::path folder = space.sae_dir(name);
  workspace::RunRecord record;
  record.command = "eval-sae";
  workspace::add_inputs(record, space.sae_files(name));
  workspace::add_inputs(record, space.study_files());
  space.run_logged(record, [&](workspace::RunRecord&) {
    const sae::Sae trained = sae::load_sae(folder.string());
    sae::CaptionLossOptions options;
    options.split = io::canonical_split(args.get_or("split", options.split));
    options.rows = args.get_count("rows", options.rows);
    options.batch = args.get_int("batch", options.batch);
    options.positions = positions_of(args, trained, (folder / sae::kCfgFile).string());
    // The training summary goes into eval.json; a bad one is refused before the model runs.
    const std::filesystem::path summary_path = folder / "summary.json";
    nlohmann::json training;
    if (std::filesystem::exists(summary_path)) {
      training = util::parse_json_file(summary_path.string());
      util::JsonFields(training, summary_path.string());  // throws unless it is an object
    }
    record.parameters = {{"sae", name}, {"split", options.split}, {"rows", options.rows}, {"positions", positions_word(options.positions)}};
    model::LoadOptions load;
    load.device = tensor::parse_device(args.get_or("device", "cpu"));
    auto model = model::load_vlm(space.model().string(), load);
    const auto tokenizer = model::model_tokenizer(space.model().string());
    const io::Dataset dataset = io::load_dataset(space.dataset().string());
    sae::CaptionLossResult result;
    jobs::run_in_foreground("eval-sae", [&](jobs::JobContext& job) {
      result = sae::caption_loss_with_sae(*model, *tokenizer, dataset, trained, options, job);
      return nlohmann::json{};
    }, std::cerr);

    nlohmann::json report = result.to_json();
    report["sae"] = name;
    report["hook"] = trained.config.hook_name;
    report["split"] = options.split;
    report["rows"] = options.rows;
    report["positions"] = positions_word(options.positions);
    if (!training.is_null()) report["training"] = training;
    util::write_file_atomic((folder / "eval.json").string(), report.dump(2) + "\n");

    std::ostringstream message;
    message.precision(4);
    message << "caption loss clean " << result.clean << ", with the SAE " << result.reconstructed << " ("
            << 100.0 * (result.reconstructed - result.clean) / result.clean << "% more), zero-ablated " << result.zero_ablated
            << "; fraction of loss recovered " << result.fraction_recovered << "; at the hook: explained variance "
            << result.explained_variance << ", L0 " << result.l0;
    record.message = message.str();
    record.details = report;
    std::cout << "eval-sae " << name << " (" << result.examples << " examples, " << result.answer_tokens
              << " caption tokens): " << record.message << "\n  written to " << (folder / "eval.json").string() << "\n";
  });
  return 0;
}

}  // namespace

CommandSpec eval_sae_command() {
  return {"eval-sae",
          "caption loss with an SAE's reconstruction at its hook vs the clean model and zero ablation",
          "loupe eval-sae --workspace DIR --sae NAME [--split eval|train|counter] [--rows 64] [--batch 16] "
          "[--positions all|image|text|template|non-image] [--device cpu|cuda]",
          {{"workspace", "DIR", "workspace folder (loupe init)"},
           {"sae", "NAME", "the SAE in DIR/saes/NAME"},
           {"split", "NAME", "dataset split to score: eval (= balanced, the default), counter, train, or any value of the `split` column"},
           {"rows", "N", "the split's first N rows, each in English and Arabic (default 64)"},
           {"batch", "B", "examples per forward pass (default 16)"},
           {"positions", "WORD", "where to splice the SAE in (default: the positions of the store it was trained on)"},
           {"device", "cpu|cuda", "where to run the model (default cpu)"}},
          run_eval_sae};
}

}  // namespace loupe::cli
