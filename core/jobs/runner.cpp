#include "core/jobs/runner.h"

#include <algorithm>

#include "core/error.h"
#include "core/jobs/error_kind.h"
#include "core/jobs/job_record.h"

namespace loupe::jobs {
namespace {

constexpr auto kPublishInterval = std::chrono::milliseconds(50);

void execute(JobRecord& job) {
  try {
    job.start();
    JobContext context(job);
    JobResult result = job.fn(context);
    job.finish(JobState::Succeeded, std::move(result), {}, {});
  } catch (const Cancelled& cancelled) {
    job.finish(JobState::Cancelled, JobResult{}, "Cancelled", cancelled.what());
  } catch (const std::exception& error) {
    job.finish(JobState::Failed, JobResult{}, error_kind_name(error), error.what());
  } catch (...) {
    job.finish(JobState::Failed, JobResult{}, "internal",
               "job '" + job.name + "' threw a value that is not a std::exception");
  }
}

void finish_unstarted(JobRecord& job) {
  job.finish(JobState::Cancelled, JobResult{}, "Cancelled",
             "job '" + job.name + "' was cancelled before it started");
}

}  // namespace

JobRunner::JobRunner(int workers, int short_workers) {
  if (workers < 1)
    throw InputError("a job runner needs at least one worker thread (asked for " +
                     std::to_string(workers) + ")");
  if (short_workers < 0)
    throw InputError("a job runner cannot have " + std::to_string(short_workers) + " short-job workers");
  has_short_workers_ = short_workers > 0;
  for (int i = 0; i < workers; ++i) workers_.emplace_back([this] { work(Lane::Long); });
  for (int i = 0; i < short_workers; ++i) workers_.emplace_back([this] { work(Lane::Short); });
  publisher_ = std::thread([this] { publish_running(); });
}

JobRunner::~JobRunner() {
  std::deque<std::shared_ptr<JobRecord>> dropped;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    for (auto& queue : queues_) {
      dropped.insert(dropped.end(), queue.begin(), queue.end());
      queue.clear();
    }
    for (auto& entry : jobs_) entry.second->cancel.store(true);
  }
  for (auto& job : dropped) finish_unstarted(*job);
  work_cv_.notify_all();
  publisher_cv_.notify_all();
  for (auto& worker : workers_) worker.join();
  publisher_.join();
}

JobId JobRunner::submit(std::string name, JobFunction fn, std::string log_file, Lane lane) {
  JobId id = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    id = next_id_++;
    auto job = std::make_shared<JobRecord>(id, std::move(name), std::move(fn), std::move(log_file));
    jobs_.emplace(id, job);
    const Lane queue = lane == Lane::Short && has_short_workers_ ? Lane::Short : Lane::Long;
    queues_[int(queue)].push_back(std::move(job));
  }
  work_cv_.notify_all();  // the waiting workers serve two lanes: wake them all, the right one takes it
  return id;
}

std::shared_ptr<JobRecord> JobRunner::find(JobId id) const {
  auto found = jobs_.find(id);
  if (found == jobs_.end()) throw InputError("no job has id " + std::to_string(id));
  return found->second;
}

std::shared_ptr<const JobSnapshot> JobRunner::snapshot(JobId id) const {
  std::shared_ptr<JobRecord> job;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = jobs_.find(id);
    if (found == jobs_.end()) return nullptr;
    job = found->second;
  }
  return job->published.load();
}

std::vector<std::shared_ptr<const JobSnapshot>> JobRunner::snapshots() const {
  std::vector<std::shared_ptr<JobRecord>> jobs;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    jobs.reserve(jobs_.size());
    for (const auto& entry : jobs_) jobs.push_back(entry.second);
  }
  std::vector<std::shared_ptr<const JobSnapshot>> result;
  result.reserve(jobs.size());
  for (const auto& job : jobs) result.push_back(job->published.load());
  return result;
}

void JobRunner::cancel(JobId id) {
  std::shared_ptr<JobRecord> job;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job = find(id);
    job->cancel.store(true);
    for (auto& queue : queues_) {
      auto queued = std::find(queue.begin(), queue.end(), job);
      if (queued == queue.end()) continue;
      queue.erase(queued);
      finish_unstarted(*job);  // under the lock, so that no waiter misses the notification
      job = nullptr;
      break;
    }
  }
  if (job)
    job->publish();  // shows cancel_requested before the next periodic publish
  else
    finished_cv_.notify_all();
}

std::shared_ptr<const JobSnapshot> JobRunner::wait(JobId id) const {
  std::unique_lock<std::mutex> lock(mutex_);
  auto job = find(id);
  finished_cv_.wait(lock, [&] { return job->published.load()->finished(); });
  return job->published.load();
}

std::shared_ptr<const JobSnapshot> JobRunner::wait_for(JobId id,
                                                       std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mutex_);
  auto job = find(id);
  finished_cv_.wait_for(lock, timeout, [&] { return job->published.load()->finished(); });
  return job->published.load();
}

void JobRunner::work(Lane lane) {
  auto& queue = queues_[int(lane)];
  for (;;) {
    std::shared_ptr<JobRecord> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_cv_.wait(lock, [&] { return stopping_ || !queue.empty(); });
      if (stopping_) return;
      job = queue.front();
      queue.pop_front();
      running_.push_back(job);
    }
    publisher_cv_.notify_one();
    execute(*job);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      running_.erase(std::find(running_.begin(), running_.end(), job));
    }
    finished_cv_.notify_all();
  }
}

void JobRunner::publish_running() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    if (running_.empty())
      publisher_cv_.wait(lock, [&] { return stopping_ || !running_.empty(); });
    else
      publisher_cv_.wait_for(lock, kPublishInterval, [&] { return stopping_; });
    if (stopping_) return;
    const auto jobs = running_;
    lock.unlock();
    for (const auto& job : jobs) job->publish();
    lock.lock();
  }
}

}  // namespace loupe::jobs
