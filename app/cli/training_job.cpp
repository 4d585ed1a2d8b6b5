#include "app/cli/training_job.h"

#include <filesystem>
#include <iostream>

#include "core/jobs/progress_printer.h"
#include "core/jobs/runner.h"
#include "core/train/checkpoint.h"

namespace loupe::cli {

jobs::JobResult run_training_job(const std::string& command, const std::string& out_dir, const std::string& log_name,
                                 jobs::JobFunction body) {
  namespace fs = std::filesystem;
  const fs::path out(out_dir);
  const bool created = !fs::exists(out);
  fs::create_directories(out);  // for the job's log file
  try {
    jobs::JobRunner runner(1);
    const jobs::JobId id = runner.submit(command, std::move(body), (out / log_name).string());
    return jobs::run_in_foreground(runner, id, std::cerr);
  } catch (const std::exception&) {
    std::error_code ignored;
    if (fs::exists(out / train::kCheckpointName))
      std::cerr << command << ": " << out.string() << " stays, with its checkpoint and " << log_name << "; --resume continues it\n";
    else if (created)
      fs::remove_all(out, ignored);
    else
      std::cerr << command << ": " << out.string() << " stays (it existed before this run; no checkpoint was saved)\n";
    throw;
  }
}

}  // namespace loupe::cli
