#include <ctime>

#include "core/error.h"
#include "core/jobs/job.h"
#include "core/jobs/job_record.h"

namespace loupe::jobs {
namespace {

std::string local_timestamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm local{};
  localtime_r(&now, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &local);
  return text;
}

}  // namespace

void JobContext::set_total(int64_t total) { record_.total.store(total); }

void JobContext::restart_count(int64_t total) {
  record_.done.store(0);
  record_.total.store(total);
}

void JobContext::advance(int64_t n, std::string current_item) {
  record_.done.fetch_add(n);
  if (current_item.empty()) return;
  std::lock_guard<std::mutex> lock(record_.text_mutex);
  record_.current_item = std::move(current_item);
}

void JobContext::set_stage(std::string stage) {
  std::lock_guard<std::mutex> lock(record_.text_mutex);
  record_.stage = std::move(stage);
}

void JobContext::log(std::string line) {
  const std::string stamp = record_.log_path.empty() ? std::string() : local_timestamp();
  std::lock_guard<std::mutex> lock(record_.text_mutex);
  if (record_.log_file.is_open()) record_.log_file << stamp << ' ' << line << '\n' << std::flush;
  record_.log_ring.push_back(std::move(line));
  if (record_.log_ring.size() > kRecentLogLines) record_.log_ring.pop_front();
  ++record_.log_lines_total;
}

void JobContext::set_metric(std::string key, double value) {
  std::lock_guard<std::mutex> lock(record_.text_mutex);
  record_.metrics[std::move(key)] = value;
}

bool JobContext::cancel_requested() const { return record_.cancel.load(std::memory_order_relaxed); }

void JobContext::throw_if_cancelled() const {
  if (cancel_requested()) throw Cancelled("job '" + record_.name + "' was cancelled");
}

}  // namespace loupe::jobs
