// How a CLI command runs a training job that writes into an output folder (train-caption,
// finetune): in the foreground with its log at OUT/LOG_NAME. When the job fails, a folder this run
// created is removed unless it holds a checkpoint; a folder that stays is named on stderr.
#pragma once
#include <string>

#include "core/jobs/job.h"

namespace loupe::cli {

jobs::JobResult run_training_job(const std::string& command, const std::string& out_dir, const std::string& log_name,
                                 jobs::JobFunction body);

}  // namespace loupe::cli
