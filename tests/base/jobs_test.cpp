// The background job runner: outcomes, cancellation, queueing, snapshot consistency under
// concurrent readers, log files, and the CLI's foreground progress printer.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/jobs/progress_format.h"
#include "core/jobs/progress_printer.h"
#include "core/jobs/rate_meter.h"
#include "core/jobs/runner.h"
#include "support/eventually.h"

using namespace loupe;
using namespace loupe::jobs;
using namespace std::chrono_literals;
using loupe::test::eventually;

namespace {

// Advances until cancelled; `started` turns true on its first step.
JobFunction endless_job(std::atomic<bool>& started) {
  return [&started](JobContext& context) -> nlohmann::json {
    context.set_total(1'000'000'000);
    for (;;) {
      context.throw_if_cancelled();
      context.advance();
      started = true;
      std::this_thread::sleep_for(1ms);
    }
  };
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("a job's result keeps its type, and reading it as another type is an internal error", "[jobs]") {
  struct Summary {
    int64_t rows = 0;
    std::vector<double> figures;
  };
  JobRunner runner;
  const JobId id = runner.submit("typed", [](JobContext&) { return Summary{3, {0.5, 0.25}}; });
  const auto done = runner.wait(id);
  REQUIRE(done->state == JobState::Succeeded);
  REQUIRE(done->result.holds<Summary>());
  CHECK(done->result.as<Summary>().rows == 3);
  CHECK(done->result.as<Summary>().figures == std::vector<double>{0.5, 0.25});
  CHECK_FALSE(done->result.holds<nlohmann::json>());
  CHECK_THROWS_AS(done->result.as<nlohmann::json>(), std::logic_error);
  const JobId nothing = runner.submit("nothing", [](JobContext&) { return JobResult{}; });
  CHECK(runner.wait(nothing)->result.empty());
}

TEST_CASE("a job's second stage counts from zero after restart_count", "[jobs]") {
  JobRunner runner;
  const JobId id = runner.submit("two stages", [](JobContext& context) -> nlohmann::json {
    context.set_total(10);
    context.advance(7);  // loading
    context.restart_count(3);
    context.advance(2);  // captioning
    return {};
  });
  const auto done = runner.wait(id);
  CHECK(done->done == 2);
  CHECK(done->total == 3);
}

TEST_CASE("a job's result, counters, metrics and log reach its final snapshot", "[jobs]") {
  JobRunner runner;
  const JobId id = runner.submit("count", [](JobContext& context) -> nlohmann::json {
    context.set_stage("counting");
    context.set_total(10);
    for (int i = 0; i < 10; ++i) context.advance(1, "item " + std::to_string(i));
    context.set_metric("loss", 0.25);
    context.log("counted ten");
    return {{"answer", 42}};
  });
  const auto done = runner.wait(id);
  REQUIRE(done->state == JobState::Succeeded);
  CHECK(done->id == id);
  CHECK(done->name == "count");
  CHECK(done->result.as<nlohmann::json>() == nlohmann::json{{"answer", 42}});
  CHECK(done->done == 10);
  CHECK(done->total == 10);
  CHECK(done->stage == "counting");
  CHECK(done->current_item == "item 9");
  CHECK(done->metrics.at("loss") == 0.25);
  CHECK(done->recent_log == std::vector<std::string>{"counted ten"});
  CHECK(done->log_lines_total == 1);
  CHECK(done->error_message.empty());
  CHECK(done->started_at.has_value());
  CHECK(done->finished_at.has_value());
  CHECK(*done->finished_at >= *done->started_at);
  CHECK(done->elapsed_seconds >= 0.0);
  CHECK(runner.snapshot(id) == done);
}

TEST_CASE("cancelling a running job ends it Cancelled promptly", "[jobs]") {
  JobRunner runner;
  std::atomic<bool> started{false};
  const JobId id = runner.submit("endless", endless_job(started));
  REQUIRE(eventually([&] { return started.load(); }));
  const auto cancelled_at = std::chrono::steady_clock::now();
  runner.cancel(id);
  const auto done = runner.wait(id);
  CHECK(seconds_since(cancelled_at) < 5.0);
  CHECK(done->state == JobState::Cancelled);
  CHECK(done->cancel_requested);
  CHECK(done->error_kind == "Cancelled");
  CHECK(done->error_message == "job 'endless' was cancelled");
  CHECK(done->done > 0);
  runner.cancel(id);  // a finished job stays as it is
  CHECK(runner.snapshot(id)->state == JobState::Cancelled);
}

TEST_CASE("a job's exception becomes a failure with its message and kind", "[jobs]") {
  JobRunner runner;
  const JobId format = runner.submit("format", [](JobContext&) -> nlohmann::json {
    throw FormatError("shard 3 has a truncated header");
  });
  const JobId io = runner.submit("io", [](JobContext&) -> nlohmann::json {
    throw IoError("disk full");
  });
  const JobId base = runner.submit("base", [](JobContext&) -> nlohmann::json {
    throw Error("plain loupe error");
  });
  const JobId standard = runner.submit("standard", [](JobContext&) -> nlohmann::json {
    throw std::out_of_range("vector::at");
  });
  const JobId odd = runner.submit("odd", [](JobContext&) -> nlohmann::json { throw 7; });

  const auto format_done = runner.wait(format);
  CHECK(format_done->state == JobState::Failed);
  CHECK(format_done->error_kind == "FormatError");
  CHECK(format_done->error_message == "shard 3 has a truncated header");
  CHECK(format_done->result.empty());
  CHECK(runner.wait(io)->error_kind == "IoError");
  CHECK(runner.wait(base)->error_kind == "Error");
  CHECK(runner.wait(standard)->error_kind == "internal");
  CHECK(runner.wait(standard)->error_message == "vector::at");
  CHECK(runner.wait(odd)->state == JobState::Failed);
  CHECK(runner.wait(odd)->error_kind == "internal");
}

TEST_CASE("one worker runs jobs one at a time, in order, and queued jobs can be cancelled", "[jobs]") {
  JobRunner runner(1);
  std::atomic<bool> release{false};
  std::atomic<bool> first_started{false};
  std::atomic<bool> cancelled_ran{false};
  const JobId first = runner.submit("first", [&](JobContext&) -> nlohmann::json {
    first_started = true;
    while (!release) std::this_thread::sleep_for(1ms);
    return 1;
  });
  const JobId second = runner.submit("second", [](JobContext&) -> nlohmann::json { return 2; });
  const JobId dropped = runner.submit("dropped", [&](JobContext&) -> nlohmann::json {
    cancelled_ran = true;
    return 3;
  });
  REQUIRE(eventually([&] { return first_started.load(); }));
  CHECK(runner.snapshot(first)->state == JobState::Running);
  CHECK(runner.snapshot(second)->state == JobState::Queued);

  runner.cancel(dropped);
  const auto dropped_done = runner.wait(dropped);  // returns while `first` still runs
  CHECK(dropped_done->state == JobState::Cancelled);
  CHECK(dropped_done->error_message == "job 'dropped' was cancelled before it started");
  CHECK(runner.snapshot(second)->state == JobState::Queued);

  release = true;
  const auto second_done = runner.wait(second);
  CHECK(second_done->result.as<nlohmann::json>() == 2);
  CHECK(*second_done->started_at >= *runner.snapshot(first)->finished_at);
  CHECK_FALSE(cancelled_ran);

  const auto all = runner.snapshots();
  REQUIRE(all.size() == 3);
  CHECK(all[0]->id == first);
  CHECK(all[1]->id == second);
  CHECK(all[2]->id == dropped);
}

TEST_CASE("several workers run jobs at the same time", "[jobs]") {
  JobRunner runner(2);
  std::atomic<int> running{0};
  auto meet = [&](JobContext&) -> nlohmann::json {
    ++running;
    return eventually([&] { return running.load() == 2; });
  };
  const JobId a = runner.submit("a", meet);
  const JobId b = runner.submit("b", meet);
  CHECK(runner.wait(a)->result.as<nlohmann::json>() == true);
  CHECK(runner.wait(b)->result.as<nlohmann::json>() == true);
}

TEST_CASE("short jobs run while a long job holds the long lane", "[jobs]") {
  JobRunner runner(1, 1);
  std::atomic<bool> started{false};
  const JobId extraction = runner.submit("extraction", endless_job(started));
  REQUIRE(eventually([&] { return started.load(); }));
  const JobId load = runner.submit("load model", [](JobContext&) -> nlohmann::json { return "loaded"; }, {}, Lane::Short);
  const auto loaded = runner.wait_for(load, 5s);  // the long job never ends by itself
  CHECK(loaded->state == JobState::Succeeded);
  CHECK(loaded->result.as<nlohmann::json>() == "loaded");
  CHECK(runner.snapshot(extraction)->state == JobState::Running);
  // A second long job waits for the long lane, not for the short one.
  const JobId queued = runner.submit("training", [](JobContext&) -> nlohmann::json { return 1; });
  CHECK(runner.snapshot(queued)->state == JobState::Queued);
  runner.cancel(extraction);
  CHECK(runner.wait(queued)->result.as<nlohmann::json>() == 1);
}

TEST_CASE("without short workers a short job queues in the long lane", "[jobs]") {
  JobRunner runner(1);
  std::atomic<bool> release{false};
  const JobId first = runner.submit("first", [&](JobContext&) -> nlohmann::json {
    while (!release) std::this_thread::sleep_for(1ms);
    return 1;
  });
  const JobId short_job = runner.submit("short", [](JobContext&) -> nlohmann::json { return 2; }, {}, Lane::Short);
  REQUIRE(eventually([&] { return runner.snapshot(first)->state == JobState::Running; }));
  CHECK(runner.snapshot(short_job)->state == JobState::Queued);
  release = true;
  CHECK(runner.wait(short_job)->result.as<nlohmann::json>() == 2);
  CHECK_THROWS_AS(JobRunner(1, -1), InputError);
}

TEST_CASE("snapshots stay consistent while many readers poll a fast job", "[jobs]") {
  JobRunner runner;
  constexpr int kReaders = 8;
  constexpr int64_t kBatch = 1000;
  // Readers count the distinct snapshots they see; the job keeps going until every reader has
  // seen many republications (or 20 s pass, which fails the test below).
  std::atomic<int> readers_satisfied{0};
  const JobId id = runner.submit("fast", [&](JobContext& context) -> nlohmann::json {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    int64_t total = 0;
    while (readers_satisfied < kReaders && std::chrono::steady_clock::now() < deadline) {
      total += kBatch;
      context.set_total(total);  // raised before advancing, so done <= total at every moment
      for (int64_t i = 0; i < kBatch; ++i) context.advance(1, i == 0 ? "batch" : std::string());
      context.log("total " + std::to_string(total));
      context.set_metric("total", static_cast<double>(total));
    }
    return readers_satisfied == kReaders;
  });

  std::atomic<int> violations{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&, r] {
      std::shared_ptr<const JobSnapshot> previous;
      int changes = 0;
      for (;;) {
        const auto snapshot = r % 2 ? runner.snapshot(id) : runner.snapshots().at(0);
        if (previous) {
          if (snapshot->done < previous->done) ++violations;
          if (snapshot->log_lines_total < previous->log_lines_total) ++violations;
          if (previous->finished() && !snapshot->finished()) ++violations;
        }
        if (snapshot->total > 0 && snapshot->done > snapshot->total) ++violations;
        if (snapshot->recent_log.size() > snapshot->log_lines_total) ++violations;
        if (snapshot != previous && ++changes == 20) ++readers_satisfied;
        previous = snapshot;
        if (snapshot->finished()) break;
      }
    });
  }
  for (auto& reader : readers) reader.join();
  CHECK(violations == 0);
  const auto done = runner.wait(id);
  CHECK(done->state == JobState::Succeeded);
  CHECK(done->result.as<nlohmann::json>() == true);
  CHECK(done->done == done->total);
  CHECK(done->recent_log.size() == std::min<uint64_t>(done->log_lines_total, 200));
  CHECK(done->recent_log.back() == "total " + std::to_string(done->total));
}

TEST_CASE("the runner rejects bad arguments", "[jobs]") {
  CHECK_THROWS_AS(JobRunner(0), InputError);
  JobRunner runner;
  CHECK(runner.snapshot(99) == nullptr);
  CHECK_THROWS_AS(runner.wait(99), InputError);
  CHECK_THROWS_AS(runner.cancel(99), InputError);
}

TEST_CASE("destroying the runner cancels running and queued jobs", "[jobs]") {
  std::atomic<bool> started{false};
  std::atomic<bool> queued_ran{false};
  const auto start = std::chrono::steady_clock::now();
  {
    JobRunner runner;
    runner.submit("endless", endless_job(started));
    runner.submit("queued", [&](JobContext&) -> nlohmann::json {
      queued_ran = true;
      return nullptr;
    });
    REQUIRE(eventually([&] { return started.load(); }));
  }
  CHECK(seconds_since(start) < 10.0);
  CHECK_FALSE(queued_ran);
}

TEST_CASE("a job's log lines go to its log file", "[jobs]") {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("loupe_jobs_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / "job.log").string();
  JobRunner runner;
  const JobId logged = runner.submit(
      "logged",
      [](JobContext& context) -> nlohmann::json {
        context.log("first line");
        context.log("second line");
        return nullptr;
      },
      path);
  REQUIRE(runner.wait(logged)->state == JobState::Succeeded);
  std::ifstream file(path);
  std::string first, second, extra;
  REQUIRE(std::getline(file, first));
  REQUIRE(std::getline(file, second));
  CHECK_FALSE(std::getline(file, extra));
  CHECK(first.size() > std::string(" first line").size());
  CHECK(first.substr(first.size() - 11) == " first line");
  CHECK(second.substr(second.size() - 12) == " second line");

  const JobId unwritable = runner.submit(
      "unwritable", [](JobContext&) -> nlohmann::json { return nullptr; },
      (dir / "missing" / "job.log").string());
  const auto failed = runner.wait(unwritable);
  CHECK(failed->state == JobState::Failed);
  CHECK(failed->error_kind == "IoError");
  std::filesystem::remove_all(dir);
}

TEST_CASE("the rate meter smooths items per second", "[jobs]") {
  RateMeter meter;
  const auto t0 = RateMeter::Clock::time_point{} + 100s;
  CHECK(meter.update(0, t0) == 0.0);
  CHECK(meter.update(10, t0 + 100ms) == 0.0);  // too soon to measure
  CHECK(meter.update(100, t0 + 1s) == Approx(100.0));
  const double smoothed = meter.update(400, t0 + 2s);  // instant rate 300
  CHECK(smoothed > 100.0);
  CHECK(smoothed < 300.0);
}

TEST_CASE("progress text: durations, rates, summaries and the terminal bar", "[jobs]") {
  CHECK(format_duration(7.4) == "0:07");
  CHECK(format_duration(754) == "12:34");
  CHECK(format_duration(3723) == "1:02:03");
  CHECK(format_rate(35.24) == "35.2/s");
  CHECK(format_rate(1250) == "1.25k/s");

  JobSnapshot snapshot;
  snapshot.name = "extract";
  snapshot.stage = "encode";
  snapshot.done = 120;
  snapshot.total = 480;
  snapshot.rate = 12.0;
  snapshot.eta_seconds = 30.0;
  snapshot.current_item = "صورة_01.png";
  CHECK(progress_summary(snapshot) == "120/480 (25%), 12/s, ETA 0:30");
  CHECK(progress_bar_line(snapshot, 200) ==
        "extract [encode] [######------------------] 120/480 25% 12/s ETA 0:30 صورة_01.png");
  CHECK(progress_bar_line(snapshot, 69) ==
        "extract [encode] [######------------------] 120/480 25% 12/s ETA 0:30");
  CHECK(progress_bar_line(snapshot, 72) ==
        "extract [encode] [######------------------] 120/480 25% 12/s ETA 0:30 صو");

  JobSnapshot open_ended;
  open_ended.done = 5;
  CHECK(progress_summary(open_ended) == "5 done");
}

TEST_CASE("the foreground printer shows log and progress lines and returns the result", "[jobs]") {
  JobRunner runner;
  const JobId id = runner.submit("demo", [](JobContext& context) -> nlohmann::json {
    context.set_stage("load");
    context.log("hello from the job");
    context.set_total(3);
    context.advance(3, "last");
    context.set_stage("write");
    return {{"written", 3}};
  });
  std::ostringstream err;
  const nlohmann::json result = run_in_foreground(runner, id, err).as<nlohmann::json>();
  CHECK(result == nlohmann::json{{"written", 3}});
  const std::string text = err.str();
  CHECK(text.find("[demo] hello from the job\n") != std::string::npos);
  CHECK(text.find("[demo] succeeded after 0:00 (3/3 (100%)") != std::string::npos);
  CHECK(text.find('\r') == std::string::npos);
  CHECK(text.find("\x1b[") == std::string::npos);
}

TEST_CASE("the foreground printer prints a line per stage and at most one per interval",
          "[jobs]") {
  JobRunner runner;
  std::atomic<bool> printed_first{false};
  const JobId id = runner.submit("staged", [&](JobContext& context) -> nlohmann::json {
    context.set_total(2);
    context.set_stage("one");
    context.advance();
    eventually([&] { return printed_first.load(); });
    context.set_stage("two");
    context.advance();
    std::this_thread::sleep_for(300ms);  // several polls inside one stage: no extra lines
    return nullptr;
  });
  std::ostringstream err;
  std::thread watcher([&] {
    eventually([&] { return runner.snapshot(id)->stage == "one"; });
    std::this_thread::sleep_for(1s);  // the printer polls every 100 ms
    printed_first = true;
  });
  run_in_foreground(runner, id, err, ProgressOutput::Lines);
  watcher.join();
  const std::string text = err.str();
  CHECK(text.find("[staged] one: 1/2 (50%)") != std::string::npos);
  CHECK(text.find("[staged] two: 2/2 (100%)") != std::string::npos);
  auto count = [&](const std::string& part) {
    size_t found = 0;
    for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++found;
    return found;
  };
  CHECK(count("] one:") == 1);
  CHECK(count("] two:") == 1);
  CHECK(count("\n") <= 4);  // possibly a line before the first stage, two stages, the outcome
}

TEST_CASE("the foreground printer rethrows failures with their kind", "[jobs]") {
  JobRunner runner;
  const JobId id = runner.submit("broken", [](JobContext&) -> nlohmann::json {
    throw ConfigError("config.json has no hidden_size");
  });
  std::ostringstream err;
  CHECK_THROWS_AS(run_in_foreground(runner, id, err), ConfigError);
  CHECK(err.str().find("[broken] failed after 0:00 (0 done): config.json has no hidden_size") !=
        std::string::npos);

  const JobId internal = runner.submit("internal", [](JobContext&) -> nlohmann::json {
    throw std::logic_error("bug");
  });
  CHECK_THROWS_WITH(run_in_foreground(runner, internal, err), "bug");
}

TEST_CASE("Ctrl-C or SIGTERM during a foreground job cancels it and the old handler comes back", "[jobs]") {
  const int stop = GENERATE(SIGINT, SIGTERM);  // SIGTERM: kill, and Slurm's preemption and requeue
  INFO("signal " << stop);
  struct sigaction before {};
  REQUIRE(sigaction(stop, nullptr, &before) == 0);
  JobRunner runner;
  const JobId id = runner.submit("interrupted", [&](JobContext& context) -> nlohmann::json {
    const bool printer_installed = eventually([&] {
      struct sigaction now {};
      sigaction(stop, nullptr, &now);
      return now.sa_handler != before.sa_handler;
    });
    if (!printer_installed) return "the printer never installed its handler";
    raise(stop);
    for (;;) {
      context.throw_if_cancelled();
      std::this_thread::sleep_for(1ms);
    }
  });
  std::ostringstream err;
  CHECK_THROWS_AS(run_in_foreground(runner, id, err), Cancelled);
  CHECK(err.str().find("[interrupted] cancelled after") != std::string::npos);
  struct sigaction after {};
  REQUIRE(sigaction(stop, nullptr, &after) == 0);
  CHECK(after.sa_handler == before.sa_handler);
}
