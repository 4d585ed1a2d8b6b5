// JobRunner: where long tasks run (the CLI's extraction, SAE and caption training; the desktop
// app's model loads, directions and extractions).
// Fixed pools of worker threads, one per lane, take submitted jobs in order; jobs beyond a pool queue.
// Readers poll snapshot(): an immutable JobSnapshot republished every ~50 ms while a job runs and
// at each state change; reading it never waits on the job.
#pragma once
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/jobs/job.h"

namespace loupe::jobs {

// Which queue a job waits in. Short jobs (a model load, a direction, reading a dataset) have worker
// threads of their own, so they run while a long one (extraction, training) holds the long lane.
enum class Lane { Long, Short };

class JobRunner {
 public:
  // `workers` threads serve the long lane and `short_workers` the short one; with no short workers
  // short jobs queue in the long lane. Throws InputError when workers < 1 or short_workers < 0.
  explicit JobRunner(int workers = 1, int short_workers = 0);
  // Cancels every job, drops the queued ones and waits for the running ones to return (a job
  // that never checks for cancellation keeps the destructor waiting).
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Queues a job. A non-empty `log_file` receives every logged line, timestamped (appended).
  JobId submit(std::string name, JobFunction fn, std::string log_file = {}, Lane lane = Lane::Long);

  std::shared_ptr<const JobSnapshot> snapshot(JobId id) const;  // nullptr for an unknown id
  std::vector<std::shared_ptr<const JobSnapshot>> snapshots() const;  // in submission order

  // A queued job ends Cancelled at once; a running one sees cancel_requested() and ends when its
  // function throws loupe::Cancelled (or returns). Finished jobs are left as they are.
  void cancel(JobId id);  // throws InputError for an unknown id

  // Blocks until the job has finished; returns its final snapshot. Throws InputError for an
  // unknown id.
  std::shared_ptr<const JobSnapshot> wait(JobId id) const;
  // Waits at most `timeout` for the job to finish; returns its latest snapshot either way.
  std::shared_ptr<const JobSnapshot> wait_for(JobId id, std::chrono::milliseconds timeout) const;

 private:
  void work(Lane lane);
  void publish_running();
  std::shared_ptr<JobRecord> find(JobId id) const;  // mutex_ held; throws InputError

  mutable std::mutex mutex_;
  mutable std::condition_variable finished_cv_;
  std::condition_variable work_cv_;
  std::condition_variable publisher_cv_;
  std::map<JobId, std::shared_ptr<JobRecord>> jobs_;
  std::deque<std::shared_ptr<JobRecord>> queues_[2];  // indexed by Lane
  std::vector<std::shared_ptr<JobRecord>> running_;
  bool has_short_workers_ = false;
  JobId next_id_ = 1;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
  std::thread publisher_;
};

}  // namespace loupe::jobs
