// JobRunner: where long tasks run (the CLI's extraction, SAE and caption training; the desktop
// app's model loads, directions and extractions).
// A fixed pool of worker threads takes submitted jobs in order; jobs beyond the pool queue.
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

class JobRunner {
 public:
  explicit JobRunner(int workers = 1);  // throws InputError when workers < 1
  // Cancels every job, drops the queued ones and waits for the running ones to return (a job
  // that never checks for cancellation keeps the destructor waiting).
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Queues a job. A non-empty `log_file` receives every logged line, timestamped (appended).
  JobId submit(std::string name, JobFunction fn, std::string log_file = {});

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
  void work();
  void publish_running();
  std::shared_ptr<JobRecord> find(JobId id) const;  // mutex_ held; throws InputError

  mutable std::mutex mutex_;
  mutable std::condition_variable finished_cv_;
  std::condition_variable work_cv_;
  std::condition_variable publisher_cv_;
  std::map<JobId, std::shared_ptr<JobRecord>> jobs_;
  std::deque<std::shared_ptr<JobRecord>> queue_;
  std::vector<std::shared_ptr<JobRecord>> running_;
  JobId next_id_ = 1;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
  std::thread publisher_;
};

}  // namespace loupe::jobs
