#include "core/jobs/latest_worker.h"

#include "core/error.h"

namespace loupe::jobs {

LatestWorker::LatestWorker() : thread_([this] { loop(); }) {}

LatestWorker::~LatestWorker() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    if (running_job_) running_job_->cancel();
  }
  wake_.notify_all();
  thread_.join();
}

uint64_t LatestWorker::submit(std::unique_ptr<Work> work) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (pending_) cancelled_.fetch_add(1);
  if (running_ && work->cancels(*running_->work)) running_job_->cancel();
  pending_ = std::make_unique<Pending>(Pending{{next_id_++, std::chrono::steady_clock::now()}, std::move(work)});
  wake_.notify_all();
  return pending_->ticket.id;
}

bool LatestWorker::idle() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return !pending_ && !running_;
}

uint64_t LatestWorker::running_id() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return running_ ? running_->ticket.id : 0;
}

std::string LatestWorker::last_error() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_error_;
}

void LatestWorker::loop() {
  for (;;) {
    auto job = std::make_shared<StandaloneJob>("live request");
    Pending* request = nullptr;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || pending_; });
      if (stopping_) return;
      running_ = std::move(pending_);
      running_job_ = job;
      request = running_.get();  // stays alive until running_ is reset below, by this thread
    }
    bool cancelled = false;
    std::string error;
    try {
      request->work->run(request->ticket, job->context());
    } catch (const Cancelled&) {
      cancelled = true;
    } catch (const std::exception& failure) {
      error = failure.what();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (cancelled) cancelled_.fetch_add(1);
    if (!error.empty()) last_error_ = error;
    running_.reset();
    running_job_.reset();
  }
}

}  // namespace loupe::jobs
