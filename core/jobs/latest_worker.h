// One background thread that computes the newest of the requests submitted to it: the scheduling
// of the desktop app's live loop (ui/live/live_worker.h), torch-free so that ThreadSanitizer checks
// it (tests/base/latest_worker_test.cpp, scripts/sanitize.sh).
// submit() never waits. A submitted request replaces the queued one, if any (counted as
// cancelled). The running request is cancelled when the new one says it makes it stale
// (Work::cancels); otherwise it finishes, so that a slider drag keeps publishing results.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/jobs/standalone_job.h"

namespace loupe::jobs {

// A request as the worker sees it.
struct Ticket {
  uint64_t id = 0;                                  // from 1, in submission order
  std::chrono::steady_clock::time_point submitted;  // when submit() took it
};

class LatestWorker {
 public:
  class Work {
   public:
    virtual ~Work() = default;
    // Runs on the worker thread: computes and publishes the result. Throws loupe::Cancelled when
    // `context` is cancelled; any other exception ends the request as failed (last_error()).
    // Const: submit() may call cancels() on the running work from another thread meanwhile.
    virtual void run(const Ticket& ticket, JobContext& context) const = 0;
    // True when this request, submitted while `running` computes, makes it stale (so it is cancelled).
    virtual bool cancels(const Work& running) const = 0;
  };

  LatestWorker();
  ~LatestWorker();  // cancels the running request, drops the queued one and joins the thread
  LatestWorker(const LatestWorker&) = delete;
  LatestWorker& operator=(const LatestWorker&) = delete;

  uint64_t submit(std::unique_ptr<Work> work);  // returns the request's id
  bool idle() const;            // nothing queued, nothing running (the last request has published or failed)
  uint64_t running_id() const;  // the request being computed now, 0 when none
  // Requests dropped unfinished: replaced while queued, or cancelled while running.
  uint64_t requests_cancelled() const { return cancelled_.load(); }
  std::string last_error() const;  // what the last failed request threw ("" when none failed)

 private:
  struct Pending {
    Ticket ticket;
    std::unique_ptr<Work> work;
  };
  void loop();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::unique_ptr<Pending> pending_;
  std::unique_ptr<Pending> running_;
  std::shared_ptr<StandaloneJob> running_job_;  // the running request's context, to cancel it
  bool stopping_ = false;
  uint64_t next_id_ = 1;
  std::string last_error_;
  std::atomic<uint64_t> cancelled_{0};
  std::thread thread_;  // last: started once every other member exists
};

}  // namespace loupe::jobs
