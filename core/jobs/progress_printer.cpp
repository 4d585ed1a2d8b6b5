#include "core/jobs/progress_printer.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <iostream>

#include "core/error.h"
#include "core/jobs/error_kind.h"
#include "core/jobs/progress_format.h"

namespace loupe::jobs {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(100);
constexpr double kLineIntervalSeconds = 5.0;
constexpr int kDefaultColumns = 80;

// Set by the SIGINT / SIGTERM handler; a lock-free atomic is safe to write from a signal handler.
std::atomic<bool> stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void on_stop_signal(int) { stop_requested.store(true); }

// Installs on_stop_signal for SIGINT (Ctrl-C) and SIGTERM (kill, Slurm's preemption and requeue)
// for its lifetime. SA_RESETHAND makes a second signal take the default action (end the process)
// in case a job ignores cancellation.
class StopSignalScope {
 public:
  StopSignalScope() {
    stop_requested.store(false);
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;
    for (size_t i = 0; i < kSignals.size(); ++i) installed_[i] = sigaction(kSignals[i], &action, &previous_[i]) == 0;
  }
  ~StopSignalScope() {
    for (size_t i = 0; i < kSignals.size(); ++i)
      if (installed_[i]) sigaction(kSignals[i], &previous_[i], nullptr);
  }
  StopSignalScope(const StopSignalScope&) = delete;
  StopSignalScope& operator=(const StopSignalScope&) = delete;

  bool fired() const { return stop_requested.load(); }

 private:
  static constexpr std::array<int, 2> kSignals = {SIGINT, SIGTERM};
  std::array<struct sigaction, 2> previous_{};
  std::array<bool, 2> installed_{};
};

int terminal_columns() {
  winsize size{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 1) return size.ws_col - 1;
  return kDefaultColumns;
}

bool use_terminal(ProgressOutput output, const std::ostream& err) {
  if (output != ProgressOutput::Automatic) return output == ProgressOutput::Terminal;
  return (&err == &std::cerr || &err == &std::clog) && isatty(STDERR_FILENO);
}

// Draws successive snapshots of one job.
class ProgressView {
 public:
  ProgressView(std::ostream& err, bool terminal) : err_(err), terminal_(terminal) {}

  void show(const JobSnapshot& snapshot) {
    print_new_log_lines(snapshot);
    if (terminal_) {
      err_ << '\r' << progress_bar_line(snapshot, terminal_columns()) << "\x1b[K" << std::flush;
      bar_drawn_ = true;
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    const bool stage_changed = snapshot.stage != printed_stage_;
    const bool interval_passed =
        std::chrono::duration<double>(now - last_line_).count() >= kLineIntervalSeconds;
    if (snapshot.state != JobState::Running || (!stage_changed && !interval_passed)) return;
    err_ << '[' << snapshot.name << "] " << (snapshot.stage.empty() ? "" : snapshot.stage + ": ")
         << progress_summary(snapshot) << '\n'
         << std::flush;
    printed_stage_ = snapshot.stage;
    last_line_ = now;
  }

  void finish(const JobSnapshot& snapshot) {
    show(snapshot);
    if (bar_drawn_) err_ << '\n';
    err_ << '[' << snapshot.name << "] " << state_name(snapshot.state) << " after "
         << format_duration(snapshot.elapsed_seconds) << " (" << progress_summary(snapshot) << ")";
    if (snapshot.state != JobState::Succeeded) err_ << ": " << snapshot.error_message;
    err_ << '\n' << std::flush;
  }

 private:
  void print_new_log_lines(const JobSnapshot& snapshot) {
    const uint64_t fresh = snapshot.log_lines_total - printed_log_lines_;
    if (fresh == 0) return;
    if (bar_drawn_) err_ << "\r\x1b[K";
    const uint64_t kept = std::min<uint64_t>(fresh, snapshot.recent_log.size());
    if (kept < fresh) err_ << '[' << snapshot.name << "] (" << fresh - kept << " log lines skipped)\n";
    for (size_t i = snapshot.recent_log.size() - kept; i < snapshot.recent_log.size(); ++i)
      err_ << '[' << snapshot.name << "] " << snapshot.recent_log[i] << '\n';
    printed_log_lines_ = snapshot.log_lines_total;
  }

  std::ostream& err_;
  const bool terminal_;
  bool bar_drawn_ = false;
  uint64_t printed_log_lines_ = 0;
  std::string printed_stage_;
  std::chrono::steady_clock::time_point last_line_;
};

}  // namespace

JobResult run_in_foreground(JobRunner& runner, JobId id, std::ostream& err,
                                 ProgressOutput output) {
  StopSignalScope stop_signal;
  ProgressView view(err, use_terminal(output, err));
  bool cancel_sent = false;
  std::shared_ptr<const JobSnapshot> snapshot;
  for (;;) {
    snapshot = runner.wait_for(id, kPollInterval);
    if (snapshot->finished()) break;
    if (stop_signal.fired() && !cancel_sent) {
      runner.cancel(id);
      cancel_sent = true;
    }
    view.show(*snapshot);
  }
  view.finish(*snapshot);
  if (snapshot->state == JobState::Succeeded) return snapshot->result;
  if (snapshot->state == JobState::Cancelled) throw Cancelled(snapshot->error_message);
  throw_error_of_kind(snapshot->error_kind, snapshot->error_message);
}

JobResult run_in_foreground(const std::string& name, JobFunction fn, std::ostream& err, ProgressOutput output) {
  JobRunner runner(1);
  const JobId id = runner.submit(name, std::move(fn));
  return run_in_foreground(runner, id, err, output);
}

}  // namespace loupe::jobs
