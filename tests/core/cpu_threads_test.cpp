// LibTorch's thread count: every usable CPU unless LOUPE_THREADS says otherwise (core/tensor/threads).
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cstdlib>
#include <string>

#include "cli_run.h"
#include "core/error.h"
#include "core/tensor/threads.h"

using namespace loupe;

namespace {

// Sets LOUPE_THREADS for one scope (unset when `value` is null) and puts LibTorch's count back.
struct ThreadsVariable {
  int before = torch::get_num_threads();
  explicit ThreadsVariable(const char* value) {
    if (value) setenv("LOUPE_THREADS", value, 1);
    else unsetenv("LOUPE_THREADS");
  }
  ~ThreadsVariable() {
    unsetenv("LOUPE_THREADS");
    torch::set_num_threads(before);
  }
};

}  // namespace

TEST_CASE("LibTorch runs on every usable CPU, less the reserve, unless LOUPE_THREADS names a count", "[threads]") {
  REQUIRE(usable_cpus() >= 1);
  {
    ThreadsVariable unset(nullptr);
    CHECK(use_cpu_threads() == usable_cpus());
    CHECK(torch::get_num_threads() == usable_cpus());
    CHECK(use_cpu_threads(1) == std::max(1, usable_cpus() - 1));
    CHECK(use_cpu_threads(1000) == 1);  // never fewer than one
  }
  {
    ThreadsVariable three("3");
    CHECK(use_cpu_threads(1) == 3);  // the variable wins over the reserve
    CHECK(torch::get_num_threads() == 3);
  }
  for (const char* bad : {"0", "-2", "two", "2x", "5000"}) {
    ThreadsVariable wrong(bad);
    CHECK_THROWS_WITH(use_cpu_threads(), Catch::Contains("LOUPE_THREADS must be a whole number") &&
                                             Catch::Contains(std::string("'") + bad + "'"));
  }
}

TEST_CASE("loupe takes LOUPE_THREADS and refuses one that is no count, before any work", "[threads][cli]") {
  const std::string command = "gender --lang en --text 'a man'";
  {
    ThreadsVariable one("1");
    test::require_loupe_ok(command);
  }
  ThreadsVariable wrong("many");
  const test::CliRun run = test::run_loupe(command);
  CHECK(run.status == 1);
  CHECK(run.out.empty());
  CHECK_THAT(run.err, Catch::Contains("LOUPE_THREADS must be a whole number from 1 to 1024, not 'many'"));
}
