// The runner's shared state for one job (internal to core/jobs). Three parties touch it:
// - the job thread, through JobContext: atomics, and the text fields under `text_mutex`;
// - the runner (worker and publisher threads): state, outcome and the rate under `publish_mutex`;
// - readers: only `published`, whose lock is held just for a shared_ptr copy.
// Lock order: the runner's queue mutex, then publish_mutex, then text_mutex.
#pragma once
#include <atomic>
#include <deque>
#include <fstream>
#include <memory>
#include <mutex>

#include "core/jobs/job.h"
#include "core/jobs/rate_meter.h"

namespace loupe::jobs {

inline constexpr size_t kRecentLogLines = 200;

// The latest snapshot of a job. load() never waits on anything but another pointer copy.
class SnapshotSlot {
 public:
  std::shared_ptr<const JobSnapshot> load() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return snapshot_;
  }
  void store(std::shared_ptr<const JobSnapshot> snapshot) {
    std::lock_guard<std::mutex> lock(mutex_);
    snapshot_.swap(snapshot);  // the old snapshot is freed after the lock is released
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const JobSnapshot> snapshot_;
};

struct JobRecord {
  JobRecord(JobId id, std::string name, JobFunction fn, std::string log_path);

  const JobId id;
  const std::string name;
  const std::string log_path;  // empty: no log file
  JobFunction fn;              // touched only by the worker that runs the job

  // Written by the job (JobContext).
  std::atomic<int64_t> done{0};
  std::atomic<int64_t> total{0};
  std::atomic<bool> cancel{false};
  std::mutex text_mutex;
  std::string stage;
  std::string current_item;
  std::map<std::string, double> metrics;
  std::deque<std::string> log_ring;
  uint64_t log_lines_total = 0;
  std::ofstream log_file;

  // Written by the runner.
  std::mutex publish_mutex;
  JobState state = JobState::Queued;
  std::string error_kind;
  std::string error_message;
  JobResult result;
  std::optional<std::chrono::system_clock::time_point> started_at;
  std::optional<std::chrono::system_clock::time_point> finished_at;
  std::chrono::steady_clock::time_point started_steady;
  std::chrono::steady_clock::time_point finished_steady;
  RateMeter rate;

  SnapshotSlot published;

  // Opens the log file, if any (throws IoError), sets Running and publishes.
  void start();
  // Sets the final state and publishes; the job function is released.
  void finish(JobState final_state, JobResult job_result, std::string kind, std::string message);
  // Publishes a fresh snapshot of the current state (the runner calls it every ~50 ms).
  void publish();

 private:
  void publish_locked();  // publish_mutex held
};

}  // namespace loupe::jobs
