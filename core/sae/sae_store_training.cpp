#include "core/sae/sae_store_training.h"

#include <algorithm>
#include <memory>
#include <sstream>

#include <unistd.h>

#include "core/error.h"
#include "core/io/hf_config.h"
#include "core/model/hook_names.h"
#include "core/sae/sae_checkpoint.h"
#include "core/sae/sae_store_split.h"
#include "core/store/store_reader.h"
#include "core/workspace/workspace.h"

namespace loupe::sae {

namespace {

constexpr int64_t kMaxExpansion = int64_t(1) << 16;
constexpr int64_t kMaxStoreTokens = int64_t(1) << 40;

// Training holds eight [d_in, d_sae] float32 matrices (W_enc, W_dec, their gradients and two Adam
// moments each); on the CPU they must fit in the machine's memory, checked before allocating.
void check_memory(int64_t d_in, int64_t d_sae, const torch::Device& device) {
  if (!device.is_cpu()) return;
  const double needed = 8.0 * 4.0 * double(d_in) * double(d_sae);
  const double physical = double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGE_SIZE));
  if (physical > 0 && needed > physical) {
    std::ostringstream message;
    message.precision(3);
    message << "an SAE of d_in " << d_in << " x d_sae " << d_sae << " needs about " << needed / double(1 << 30)
            << " GiB to train (eight float32 matrices of that size), more than this machine's "
            << physical / double(1 << 30) << " GiB; use a smaller --expansion";
    throw InputError(message.str());
  }
}

}  // namespace

PreparedTraining prepare_store_training(const StoreTrainingRequest& request) {
  const auto ws = workspace::Workspace::open(request.workspace);
  workspace::check_entry_name(request.store, "store");
  workspace::check_entry_name(request.name, "SAE");
  if (request.expansion < 1 || request.expansion > kMaxExpansion)
    throw InputError("--expansion must be from 1 to " + std::to_string(kMaxExpansion) + ", got " +
                     std::to_string(request.expansion));
  if (request.tokens < 0 || request.tokens > kMaxStoreTokens)
    throw InputError("--tokens must be from 1 to " + std::to_string(kMaxStoreTokens) + ", got " + std::to_string(request.tokens));
  if (request.options.batch < 1)  // before the steps are counted in batches
    throw InputError("--batch must be at least 1, got " + std::to_string(request.options.batch));
  const std::filesystem::path store_folder = ws.store_dir(request.store);
  const auto store = store::StoreReader::open(store_folder);
  store.verify();  // an unfinished extraction or a changed shard is refused before anything is written
  const int64_t store_width = store.width(request.hook);  // lists the store's hooks when absent

  const io::ModelConfig config = io::read_model_config(ws.model().string());
  const model::HookPoint point = model::parse_hook(request.hook, config);  // lists near matches when unknown
  const int64_t model_width = model::hook_width(point, config);
  if (model_width != store_width)
    throw InputError("the store's " + request.hook + " vectors have width " + std::to_string(store_width) +
                     " but the workspace model's " + request.hook + " has width " + std::to_string(model_width) +
                     "; was the store extracted from another model? Re-extract it with this workspace");

  PreparedTraining prepared;
  prepared.store_folder = store_folder;
  SaeTrainOptions& options = prepared.options;
  options = request.options;
  options.sae.kind = request.kind;
  options.sae.d_in = store_width;
  options.sae.d_sae = request.expansion * store_width;  // both bounded: no overflow
  check_sae_size(options.sae.d_in, options.sae.d_sae, "--expansion " + std::to_string(request.expansion) + " gives");
  check_memory(options.sae.d_in, options.sae.d_sae, options.device);
  options.sae.k = request.kind == SaeKind::TopK ? request.k : 0;
  options.sae.hook_name = request.hook;
  options.sae.model_name = store.model();
  options.sae.extra["dataset_path"] = store_folder.string();
  options.sae.extra["loupe_positions"] = store.positions();
  options.out_dir = ws.sae_dir(request.name).string();
  const StoreSplit split = split_store(store, options.held_out_fraction);
  const int64_t training_vectors = int64_t(split.train.size());
  if (options.batch > training_vectors)
    throw InputError("--batch " + std::to_string(options.batch) + " is larger than the store's " +
                     std::to_string(training_vectors) + " training vectors (" + std::to_string(split.held_out.size()) +
                     " more are held out); use a smaller batch or extract more rows");
  const int64_t tokens = request.tokens > 0 ? request.tokens : std::max<int64_t>(2 * training_vectors, 2000000);
  options.steps = std::max<int64_t>(1, (tokens + options.batch - 1) / options.batch);
  validate(options);
  prepared.parameters = {{"store", request.store},        {"hook", request.hook},
                         {"kind", kind_name(request.kind)}, {"expansion", request.expansion},
                         {"k", options.sae.k},             {"tokens", options.steps * options.batch},
                         {"steps", options.steps},          {"batch", options.batch},
                         {"lr", options.lr},                {"l1", options.objective.l1},
                         {"seed", options.seed},            {"device", options.device.str()},
                         {"held_out", options.held_out_fraction},
                         {"resume", options.resume},        {"out", request.name}};
  return prepared;
}

jobs::JobFunction store_training_job(const PreparedTraining& prepared) {
  return [prepared](jobs::JobContext& context) {
    context.set_stage("opening the store");
    auto store = std::make_shared<const store::StoreReader>(store::StoreReader::open(prepared.store_folder));
    const std::string hook = prepared.options.sae.hook_name;
    const double fraction = prepared.options.held_out_fraction;
    StoreSplit split = split_store(*store, fraction);
    const auto train = std::make_shared<const std::vector<int64_t>>(std::move(split.train));
    const auto held = std::make_shared<const std::vector<int64_t>>(std::move(split.held_out));
    context.log("holding out " + std::to_string(split.held_out_rows.size()) + " of " + std::to_string(split.rows) +
                " dataset rows (" + std::to_string(held->size()) + " vectors) for the final figures; training on " +
                std::to_string(train->size()) + " vectors");
    const BatchSourceFactory batches = store_batches(store, hook, train, prepared.options.batch);
    HeldOutVectors held_out = store_held_out(store, hook, held);
    held_out.about = {{"rule", "dataset rows r with row_hash(r) < fraction * 2^64 (docs/sae.md)"},
                      {"fraction", fraction},
                      {"rows", int64_t(split.held_out_rows.size())},
                      {"store_rows", split.rows}};
    return train_sae(prepared.options, batches, held_out, context);
  };
}

std::string train_store_sae_logged(const StoreTrainingRequest& request, const TrainFunction& train,
                                   const std::function<void(const std::string&)>& on_kept) {
  namespace fs = std::filesystem;
  const workspace::Workspace space = workspace::Workspace::open(request.workspace);
  workspace::RunRecord record;
  record.command = "train-sae";
  std::string summary_line;
  space.run_logged(record, [&](workspace::RunRecord&) {
    const PreparedTraining prepared = prepare_store_training(request);
    record.parameters = prepared.parameters;
    workspace::add_inputs(record, space.store_files(prepared.store_folder.filename().string()));
    const fs::path out(prepared.options.out_dir);
    const bool created = !fs::exists(out);
    SaeTrainSummary summary;
    try {
      summary = train(prepared);
    } catch (const std::exception&) {
      std::error_code ignored;
      if (fs::exists(out / kCheckpointFile)) {
        on_kept(out.string() + " stays, with its checkpoint and train.log; --resume continues it");
      } else if (created) {
        fs::remove_all(out, ignored);
      } else {
        on_kept(out.string() + " stays as it was before this run (it holds no checkpoint)");
      }
      throw;
    }
    const SaeFigures& figures = summary.final_figures;
    std::ostringstream message;
    message.precision(4);
    message << kind_name(summary.sae.kind) << " SAE " << summary.sae.d_in << "x" << summary.sae.d_sae
            << ", final weights on " << figures.vectors << " held-out vectors: explained variance "
            << figures.explained_variance << ", MSE " << figures.mse << ", L0 " << figures.l0 << ", dead "
            << figures.dead_latents << "/" << summary.sae.d_sae << ", dense " << figures.dense_latents
            << " (running window of the last " << summary.running_window.steps << " steps: explained variance "
            << summary.running_window.explained_variance << ")";
    record.message = message.str();
    record.details = summary.to_json();
    std::ostringstream line;
    line << record.message << " after " << summary.tokens << " tokens in " << int64_t(summary.seconds) << " s; SAE in "
         << prepared.options.out_dir;
    summary_line = line.str();
  });
  return summary_line;
}

}  // namespace loupe::sae
