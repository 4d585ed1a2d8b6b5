// The live loop's worker thread: captions the selected image in English and Arabic, with and
// without the steering sliders and the LoRA adapter, and computes the heatmap, while the UI keeps
// drawing.
// submit() never waits. The newest request replaces any queued one (stale slider positions are
// dropped). The running run is cancelled when the new request changes anything but slider alphas
// (image, model, heatmap, directions); during a drag it is allowed to finish, so the captions keep
// changing while the slider moves (cancelling it on every frame would starve the worker: measured,
// 72 cancels and 1 update in a 5 s drag). latest() hands out the last published result.
#pragma once
#include <memory>
#include <mutex>

#include "core/jobs/latest_worker.h"

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
  bool idle() const { return scheduler_.idle(); }  // nothing queued, nothing running, the last request published
  uint64_t running_id() const { return scheduler_.running_id(); }  // the request being computed now, 0 when none
  // Requests dropped unfinished: replaced while queued, or cancelled while running.
  uint64_t requests_cancelled() const { return scheduler_.requests_cancelled(); }

 private:
  class Run;     // one request's work (live_worker.cpp)
  struct State;  // the worker thread's session and caches: baseline captions, pixels, SAEs
  void publish(std::shared_ptr<const LiveResult> result);

  mutable std::mutex latest_mutex_;
  std::shared_ptr<const LiveResult> latest_;
  std::unique_ptr<State> state_;  // touched by the worker thread only
  jobs::LatestWorker scheduler_;  // last: its thread is joined before the state goes
};

}  // namespace loupe::ui
