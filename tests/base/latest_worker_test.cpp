// The live loop's scheduling (core/jobs/latest_worker.h), which the desktop app's LiveWorker runs
// its captions through: the newest request wins, a stale one cancels the running one, a drag lets
// it finish, failures are kept, and the destructor stops a running request. Also built under
// ThreadSanitizer (scripts/sanitize.sh) with submitters, pollers and the worker all at once.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/jobs/latest_worker.h"
#include "support/eventually.h"

using namespace loupe;
using namespace loupe::jobs;
using namespace std::chrono_literals;
using loupe::test::eventually;

namespace {

// What the fake requests published, in order: the ids of the runs that completed.
struct Board {
  std::mutex mutex;
  std::vector<uint64_t> published;
  std::atomic<bool> release{false};  // blocking requests finish once this turns true
  std::atomic<int> started{0};

  std::vector<uint64_t> snapshot() {
    std::lock_guard<std::mutex> lock(mutex);
    return published;
  }
};

enum class Kind { Quick, Blocking, Failing };

// A request that is stale for every running one (`stale`), or for none (a slider drag).
class FakeWork final : public LatestWorker::Work {
 public:
  FakeWork(Board& board, Kind kind, bool stale) : board_(board), kind_(kind), stale_(stale) {}
  bool cancels(const Work&) const override { return stale_; }
  void run(const Ticket& ticket, JobContext& context) const override {
    board_.started.fetch_add(1);
    if (kind_ == Kind::Failing) throw std::runtime_error("request " + std::to_string(ticket.id) + " failed");
    while (kind_ == Kind::Blocking && !board_.release.load()) {
      context.throw_if_cancelled();
      std::this_thread::sleep_for(1ms);
    }
    context.throw_if_cancelled();
    std::lock_guard<std::mutex> lock(board_.mutex);
    board_.published.push_back(ticket.id);
  }

 private:
  Board& board_;
  const Kind kind_;
  const bool stale_;
};

std::unique_ptr<FakeWork> work(Board& board, Kind kind, bool stale = false) {
  return std::make_unique<FakeWork>(board, kind, stale);
}

}  // namespace

TEST_CASE("the newest request replaces the queued one; a drag lets the running one finish", "[jobs][live]") {
  Board board;
  LatestWorker worker;
  const uint64_t first = worker.submit(work(board, Kind::Blocking));
  REQUIRE(eventually([&] { return worker.running_id() == first; }));
  const uint64_t replaced = worker.submit(work(board, Kind::Quick));
  const uint64_t newest = worker.submit(work(board, Kind::Quick));
  CHECK(worker.requests_cancelled() == 1);  // `replaced` never ran
  CHECK(worker.running_id() == first);      // not stale: the running one goes on
  CHECK_FALSE(worker.idle());
  board.release = true;
  REQUIRE(eventually([&] { return worker.idle(); }));
  CHECK(board.snapshot() == std::vector<uint64_t>{first, newest});
  CHECK(replaced < newest);
  CHECK(board.started == 2);
}

TEST_CASE("a stale request cancels the running one, which publishes nothing", "[jobs][live]") {
  Board board;
  LatestWorker worker;
  const uint64_t old = worker.submit(work(board, Kind::Blocking));
  REQUIRE(eventually([&] { return worker.running_id() == old; }));
  const uint64_t fresh = worker.submit(work(board, Kind::Quick, /*stale=*/true));
  REQUIRE(eventually([&] { return worker.idle(); }));
  CHECK(board.snapshot() == std::vector<uint64_t>{fresh});
  CHECK(worker.requests_cancelled() == 1);
  CHECK(worker.running_id() == 0);
}

TEST_CASE("a failing request is kept as the last error and the worker goes on", "[jobs][live]") {
  Board board;
  LatestWorker worker;
  const uint64_t failing = worker.submit(work(board, Kind::Failing));
  REQUIRE(eventually([&] { return worker.idle(); }));
  CHECK(worker.last_error() == "request " + std::to_string(failing) + " failed");
  const uint64_t next = worker.submit(work(board, Kind::Quick));
  REQUIRE(eventually([&] { return worker.idle(); }));
  CHECK(board.snapshot() == std::vector<uint64_t>{next});
  CHECK(worker.requests_cancelled() == 0);
}

TEST_CASE("destroying the worker stops its running request", "[jobs][live]") {
  Board board;
  {
    LatestWorker worker;
    const uint64_t running = worker.submit(work(board, Kind::Blocking));
    REQUIRE(eventually([&] { return worker.running_id() == running; }));
    worker.submit(work(board, Kind::Quick));  // queued, dropped with the worker
  }  // returns only once the blocking request has seen the cancel (release never turns true)
  CHECK(board.snapshot().empty());
}

TEST_CASE("submitters, pollers and the worker at once: the last request submitted is the last published",
          "[jobs][live]") {
  Board board;
  LatestWorker worker;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> polls{0};
  std::thread poller([&] {  // the UI thread's reads, every frame
    while (!stop) {
      worker.idle();
      worker.running_id();
      worker.requests_cancelled();
      polls.fetch_add(1);
    }
  });
  std::vector<std::thread> submitters;
  for (int t = 0; t < 3; ++t)
    submitters.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) worker.submit(work(board, Kind::Quick, /*stale=*/(i + t) % 3 == 0));
    });
  for (auto& thread : submitters) thread.join();
  const uint64_t last = worker.submit(work(board, Kind::Quick));
  REQUIRE(eventually([&] { return worker.idle(); }));
  stop = true;
  poller.join();
  const std::vector<uint64_t> published = board.snapshot();
  REQUIRE_FALSE(published.empty());
  CHECK(published.back() == last);
  // Every request ran to its publication, was replaced while queued, or was cancelled while running.
  CHECK(published.size() + worker.requests_cancelled() == last);
  CHECK(polls > 0);
}
