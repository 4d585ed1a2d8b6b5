// `loupe init`: makes a workspace folder for one study (core/workspace/workspace.h).
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/model_args.h"
#include "core/io/dataset.h"
#include "core/io/hf_config.h"
#include "core/workspace/workspace.h"

namespace loupe::cli {

namespace {

int run_init(const Args& args) {
  // Every later command reads both, so both are read now, before the folder is made. (The desktop
  // app's workspaces may take an image folder without a CSV; Workspace::init leaves that to it.)
  io::read_model_config(model_folder(args));
  io::load_dataset(args.get("dataset"));
  const workspace::Workspace created =
      workspace::Workspace::init(args.get("workspace"), model_folder(args), args.get("dataset"));
  workspace::RunRecord record;
  record.command = "init";
  record.parameters = {{"model", created.model().string()}, {"dataset", created.dataset().string()}};
  record.started = record.ended = workspace::utc_now();
  record.outcome = "ok";
  record.message = "workspace created";
  workspace::add_inputs(record, created.study_files());
  created.log_run(record);
  std::cout << "init: workspace " << created.root().string() << " (model " << created.model().string() << ", dataset "
            << created.dataset().string() << ")\n";
  return 0;
}

}  // namespace

CommandSpec init_command() {
  return {"init",
          "create a workspace folder for one study (model, dataset, stores, SAEs, reports, run log)",
          "loupe init --workspace DIR [--model DIR] --dataset DIR",
          {{"workspace", "DIR", "the folder to create (must not hold a workspace yet)"},
           {"model", "DIR", "Hugging Face model folder (default: the bundled demo model)"},
           {"dataset", "DIR", "dataset folder with image_caption.csv"}},
          run_init};
}

}  // namespace loupe::cli
