#include "core/tensor/threads.h"

#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include <torch/torch.h>

#include "core/error.h"

namespace loupe {

int usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return std::max(1, CPU_COUNT(&set));
}

int use_cpu_threads(int reserve) {
  int threads = std::max(1, usable_cpus() - reserve);
  if (const char* asked = std::getenv("LOUPE_THREADS"); asked != nullptr && *asked != '\0') {
    const std::string text = asked;
    size_t used = 0;
    long value = 0;
    try {
      value = std::stol(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != text.size() || value < 1 || value > 1024)
      throw InputError("LOUPE_THREADS must be a whole number from 1 to 1024, not '" + text + "'");
    threads = int(value);
  }
  torch::set_num_threads(threads);
  return threads;
}

}  // namespace loupe
