// Polling for tests of threaded code: waits for a condition with a generous bound, since these
// tests assert no timings.
#pragma once
#include <chrono>
#include <thread>

namespace loupe::test {

// Polls `condition` every millisecond for up to 10 s; returns whether it became true.
template <class Condition>
bool eventually(Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return condition();
}

}  // namespace loupe::test
