// `loupe eval-sae` as a workspace runs it (and the desktop app's Study panel): the caption loss of
// the workspace's model with the SAE's reconstruction spliced in at its hook (sae_eval.h), logged in
// runs.jsonl, written to W/saes/NAME/eval.json with the training summary's figures beside it.
#pragma once
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/jobs/job.h"
#include "core/model/vlm.h"
#include "core/text/tokenizer.h"
#include "core/workspace/workspace.h"

namespace loupe::sae {

struct SaeEvalRequest {
  std::string sae;                 // saes/NAME
  std::string split = "eval";      // any name io::canonical_split takes
  int64_t rows = 64, batch = 16;
  std::optional<std::string> positions;  // empty: the positions of the store it was trained on (cfg.json)
};

struct SaeEvalModel {
  std::shared_ptr<const model::VlmImpl> vlm;
  std::shared_ptr<const text::Tokenizer> tokenizer;
};

struct SaeEvalOutcome {
  std::string message;  // "caption loss clean ..., with the SAE ... ; fraction of loss recovered ..."
  int64_t examples = 0, answer_tokens = 0;
  std::filesystem::path file;  // eval.json
};

// `load_model` gives the workspace's model (loaded then, after the SAE and its summary were read).
// Throws InputError for a bad SAE name, positions the check cannot use, a summary.json that is not
// an object, and what caption_loss_with_sae throws; the run is logged as failed.
SaeEvalOutcome evaluate_sae_logged(const workspace::Workspace& space, const SaeEvalRequest& request,
                                   const std::function<SaeEvalModel()>& load_model, jobs::JobContext& job);

}  // namespace loupe::sae
