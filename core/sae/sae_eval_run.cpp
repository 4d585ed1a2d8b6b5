#include "core/sae/sae_eval_run.h"

#include <sstream>

#include "core/error.h"
#include "core/io/dataset.h"
#include "core/sae/sae_eval.h"
#include "core/sae/sae_io.h"
#include "core/util/atomic_file.h"
#include "core/util/json_fields.h"

namespace loupe::sae {

namespace {

// The positions to splice the SAE in: the request's, or those of the store it was trained on
// (cfg.json loupe_positions). Words the check cannot use are refused, blaming whichever gave them.
PositionSelector positions_of(const SaeEvalRequest& request, const Sae& trained, const std::string& cfg_path) {
  if (request.positions) {
    const PositionSelector selector = parse_positions(*request.positions);
    require_positions(selector, kCaptionLossPositions);
    return selector;
  }
  const std::string word = util::JsonFields(trained.config.extra, cfg_path).string("loupe_positions", "text");
  try {
    const PositionSelector selector = parse_positions(word);
    require_positions(selector, kCaptionLossPositions);
    return selector;
  } catch (const InputError& error) {
    throw InputError(cfg_path + ": the SAE was trained at `loupe_positions` '" + word + "': " + error.what() +
                     "; train on a store of per-token vectors, or pass --positions");
  }
}

}  // namespace

SaeEvalOutcome evaluate_sae_logged(const workspace::Workspace& space, const SaeEvalRequest& request,
                                   const std::function<SaeEvalModel()>& load_model, jobs::JobContext& job) {
  const std::string& name = request.sae;
  workspace::check_entry_name(name, "SAE");
  const std::filesystem::path folder = space.sae_dir(name);
  workspace::RunRecord record;
  record.command = "eval-sae";
  workspace::add_inputs(record, space.sae_files(name));
  workspace::add_inputs(record, space.study_files());
  SaeEvalOutcome outcome;
  space.run_logged(record, [&](workspace::RunRecord&) {
    const Sae trained = load_sae(folder.string());
    CaptionLossOptions options;
    options.split = io::canonical_split(request.split);
    options.rows = request.rows;
    options.batch = request.batch;
    options.positions = positions_of(request, trained, (folder / kCfgFile).string());
    // The training summary goes into eval.json; a bad one is refused before the model runs.
    const std::filesystem::path summary_path = folder / "summary.json";
    nlohmann::json training;
    if (std::filesystem::exists(summary_path)) {
      training = util::parse_json_file(summary_path.string());
      util::JsonFields(training, summary_path.string());  // throws unless it is an object
    }
    record.parameters = {{"sae", name}, {"split", options.split}, {"rows", options.rows}, {"positions", positions_word(options.positions)}};
    const SaeEvalModel model = load_model();
    const io::Dataset dataset = io::load_dataset(space.dataset().string());
    const CaptionLossResult result = caption_loss_with_sae(*model.vlm, *model.tokenizer, dataset, trained, options, job);

    nlohmann::json report = result.to_json();
    report["sae"] = name;
    report["hook"] = trained.config.hook_name;
    report["split"] = options.split;
    report["rows"] = options.rows;
    report["positions"] = positions_word(options.positions);
    if (!training.is_null()) report["training"] = training;
    outcome.file = folder / "eval.json";
    util::write_file_atomic(outcome.file.string(), report.dump(2) + "\n");

    std::ostringstream message;
    message.precision(4);
    message << "caption loss clean " << result.clean << ", with the SAE " << result.reconstructed << " ("
            << 100.0 * (result.reconstructed - result.clean) / result.clean << "% more), zero-ablated " << result.zero_ablated
            << "; fraction of loss recovered " << result.fraction_recovered << "; at the hook: explained variance "
            << result.explained_variance << ", L0 " << result.l0;
    record.message = outcome.message = message.str();
    record.details = report;
    outcome.examples = result.examples;
    outcome.answer_tokens = result.answer_tokens;
  });
  return outcome;
}

}  // namespace loupe::sae
