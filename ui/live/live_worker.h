// The live loop's worker thread: captions the selected image in English and Arabic, with and
// without the steering sliders and the LoRA adapter, and computes the heatmap, while the UI keeps
// drawing.
// submit() never waits. The newest request replaces any queued one (stale slider positions are
// dropped). The running run is cancelled when the new request changes anything but slider alphas
// (image, model, heatmap, directions); during a drag it is allowed to finish, so the captions keep
// changing while the slider moves (cancelling it on every frame would starve the worker: measured,
// 72 cancels and 1 update in a 5 s drag). latest() hands out the last published result.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "core/jobs/standalone_job.h"

#include "ui/live/live_types.h"

namespace loupe::ui {

class LiveWorker {
 public:
  LiveWorker();
  ~LiveWorker();  // cancels the running request and joins the thread
  LiveWorker(const LiveWorker&) = delete;
  LiveWorker& operator=(const LiveWorker&) = delete;

  uint64_t submit(LiveRequest request);  // returns the request's id
  std::shared_ptr<const LiveResult> latest() const;
  bool idle() const;  // nothing queued, nothing running, and the last request published (or failed)
  uint64_t running_id() const;  // the request being computed now, 0 when none
  // Requests dropped unfinished: replaced while queued, or cancelled while running.
  uint64_t requests_cancelled() const { return cancelled_.load(); }

 private:
  struct Pending {
    uint64_t id;
    LiveRequest request;
    std::chrono::steady_clock::time_point submitted;
  };
  void run();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<Pending> pending_;
  bool busy_ = false;
  bool stopping_ = false;
  uint64_t next_id_ = 1;
  uint64_t running_id_ = 0;
  std::shared_ptr<jobs::StandaloneJob> running_job_;  // the running request, to cancel it
  std::optional<LiveRequest> running_;  // the request being computed
  std::shared_ptr<const LiveResult> latest_;
  std::atomic<uint64_t> cancelled_{0};
  struct Cache;  // baseline captions and pixels per image, SAEs per path (worker thread only)
  std::unique_ptr<Cache> cache_;
  std::thread thread_;
};

}  // namespace loupe::ui
