// Items per second for progress displays: an exponential moving average of the rate between
// samples, so a burst or a stall moves the estimate over a few seconds rather than at once.
#pragma once
#include <chrono>
#include <cstdint>

namespace loupe::jobs {

class RateMeter {
 public:
  using Clock = std::chrono::steady_clock;

  // Feeds the count of items done at `now`; returns the smoothed rate (0 until first measured).
  double update(int64_t done, Clock::time_point now);

 private:
  bool primed_ = false;
  bool measured_ = false;
  int64_t last_done_ = 0;
  Clock::time_point last_time_;
  double rate_ = 0.0;
};

}  // namespace loupe::jobs
