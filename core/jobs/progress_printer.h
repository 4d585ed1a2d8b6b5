// Runs a job "in the foreground" for the CLI: the job still runs on the runner's worker, while the
// calling thread shows its progress and log on stderr and turns Ctrl-C or SIGTERM into a cancel request.
#pragma once
#include <ostream>

#include "core/jobs/runner.h"

namespace loupe::jobs {

enum class ProgressOutput {
  Automatic,  // Terminal when `err` is std::cerr/std::clog and stderr is a terminal, else Lines
  Terminal,   // one status line redrawn in place with '\r'
  Lines,      // plain lines: at each stage change and at most one every few seconds
};

// Shows the job's new log lines and its progress until it finishes. While it runs, SIGINT (Ctrl-C)
// or SIGTERM (kill; Slurm's preemption and requeue) requests cancellation, as Ctrl-C does; a second
// signal kills the process as usual. The previous handlers are restored before returning.
// Returns the job's result; a failed job is rethrown as the loupe::Error subclass it failed with
// (any other exception as loupe::Error), a cancelled one as loupe::Cancelled, with its message.
JobResult run_in_foreground(JobRunner& runner, JobId id, std::ostream& err,
                                 ProgressOutput output = ProgressOutput::Automatic);

// The same for one job on a runner of its own: how a CLI command runs a long action.
JobResult run_in_foreground(const std::string& name, JobFunction fn, std::ostream& err,
                                 ProgressOutput output = ProgressOutput::Automatic);

}  // namespace loupe::jobs
