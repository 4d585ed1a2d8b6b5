#include "core/jobs/rate_meter.h"

#include <cmath>

namespace loupe::jobs {
namespace {
// Samples closer than this are merged into the next one: short gaps give noisy rates.
constexpr double kMinSampleSeconds = 0.25;
// Time constant of the moving average.
constexpr double kSmoothingSeconds = 3.0;
}  // namespace

double RateMeter::update(int64_t done, Clock::time_point now) {
  if (!primed_) {
    primed_ = true;
    last_done_ = done;
    last_time_ = now;
    return rate_;
  }
  const double dt = std::chrono::duration<double>(now - last_time_).count();
  if (dt < kMinSampleSeconds) return rate_;
  const double instant = static_cast<double>(done - last_done_) / dt;
  if (measured_) {
    const double weight = 1.0 - std::exp(-dt / kSmoothingSeconds);
    rate_ += weight * (instant - rate_);
  } else {
    rate_ = instant;
    measured_ = true;
  }
  last_done_ = done;
  last_time_ = now;
  return rate_;
}

}  // namespace loupe::jobs
