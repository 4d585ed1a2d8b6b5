// A background job as the rest of loupe sees it: the function it runs, the context that function
// reports through, and the immutable snapshots that readers (GUI panels, the CLI printer) poll.
// Threads: the job thread writes atomics and short-locked fields through JobContext;
// the runner publishes snapshots; readers only copy a shared_ptr and never wait on the job.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/jobs/job_result.h"

namespace loupe::jobs {

using JobId = uint64_t;

enum class JobState { Queued, Running, Succeeded, Failed, Cancelled };

const char* state_name(JobState state);  // "queued", "running", "succeeded", "failed", "cancelled"
bool is_finished(JobState state);        // Succeeded, Failed or Cancelled

// What a job looked like at one moment. Never changes once published.
struct JobSnapshot {
  JobId id = 0;
  std::string name;
  JobState state = JobState::Queued;
  bool cancel_requested = false;

  int64_t done = 0;
  int64_t total = 0;                  // 0 while the job has not said how much work there is
  double rate = 0.0;                  // items per second, smoothed over the last seconds
  std::optional<double> eta_seconds;  // absent while total or rate is unknown
  std::string current_item;
  std::string stage;
  std::map<std::string, double> metrics;  // live values such as loss, MSE, L0

  std::vector<std::string> recent_log;  // the newest lines, oldest first (a bounded ring)
  uint64_t log_lines_total = 0;         // lines logged since the start; tells readers what is new

  std::string error_message;  // what() of the exception that ended the job (Failed, Cancelled)
  std::string error_kind;     // "FormatError", "IoError", ..., "Error", or "internal"
  JobResult result;           // the job function's return value (Succeeded)

  std::optional<std::chrono::system_clock::time_point> started_at;
  std::optional<std::chrono::system_clock::time_point> finished_at;
  double elapsed_seconds = 0.0;  // running time so far, or the whole run once finished

  bool finished() const { return is_finished(state); }
};

struct JobRecord;  // the runner's shared state for one job (core/jobs/job_record.h)

// Handed to the job function. Cheap to call often: counters are atomics, text fields take a lock
// that only the runner's publisher ever shares.
class JobContext {
 public:
  explicit JobContext(JobRecord& record) : record_(record) {}
  JobContext(const JobContext&) = delete;
  JobContext& operator=(const JobContext&) = delete;

  void set_total(int64_t total);
  // A new count of `total` items from 0, for a stage that follows one with its own count (a model
  // loaded, then a split captioned).
  void restart_count(int64_t total);
  // Counts n more items done; a non-empty `current_item` replaces the item shown.
  void advance(int64_t n = 1, std::string current_item = {});
  void set_stage(std::string stage);
  void log(std::string line);  // into the snapshot's ring and the job's log file, if it has one
  void set_metric(std::string key, double value);

  bool cancel_requested() const;
  void throw_if_cancelled() const;  // throws loupe::Cancelled

 private:
  JobRecord& record_;
};

// Returns the job's result; throwing ends the job as Failed (loupe::Cancelled: as Cancelled).
using JobFunction = std::function<JobResult(JobContext&)>;

}  // namespace loupe::jobs
