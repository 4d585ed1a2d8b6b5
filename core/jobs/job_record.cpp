#include "core/jobs/job_record.h"

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace loupe::jobs {

const char* state_name(JobState state) {
  switch (state) {
    case JobState::Queued: return "queued";
    case JobState::Running: return "running";
    case JobState::Succeeded: return "succeeded";
    case JobState::Failed: return "failed";
    case JobState::Cancelled: return "cancelled";
  }
  return "unknown";
}

bool is_finished(JobState state) {
  return state == JobState::Succeeded || state == JobState::Failed || state == JobState::Cancelled;
}

JobRecord::JobRecord(JobId id_, std::string name_, JobFunction fn_, std::string log_path_)
    : id(id_), name(std::move(name_)), log_path(std::move(log_path_)), fn(std::move(fn_)) {
  publish();
}

void JobRecord::start() {
  if (!log_path.empty()) {
    std::lock_guard<std::mutex> text_lock(text_mutex);
    log_file.open(log_path, std::ios::app);
    if (!log_file)
      throw IoError("cannot open the log file " + log_path + " of job '" + name +
                    "': " + std::strerror(errno) + "; check that its folder exists and is writable");
  }
  std::lock_guard<std::mutex> lock(publish_mutex);
  state = JobState::Running;
  started_at = std::chrono::system_clock::now();
  started_steady = std::chrono::steady_clock::now();
  rate.update(done.load(), started_steady);
  publish_locked();
}

void JobRecord::finish(JobState final_state, JobResult job_result, std::string kind,
                       std::string message) {
  {
    std::lock_guard<std::mutex> lock(publish_mutex);
    state = final_state;
    result = std::move(job_result);
    error_kind = std::move(kind);
    error_message = std::move(message);
    finished_at = std::chrono::system_clock::now();
    finished_steady = std::chrono::steady_clock::now();
    if (!started_at) {  // cancelled while queued
      started_at = finished_at;
      started_steady = finished_steady;
    }
    publish_locked();
  }
  fn = nullptr;  // its captures may hold large buffers
  std::lock_guard<std::mutex> text_lock(text_mutex);
  log_file.close();
}

void JobRecord::publish() {
  std::lock_guard<std::mutex> lock(publish_mutex);
  publish_locked();
}

void JobRecord::publish_locked() {
  auto snapshot = std::make_shared<JobSnapshot>();
  snapshot->id = id;
  snapshot->name = name;
  snapshot->state = state;
  snapshot->cancel_requested = cancel.load();
  // done before total: a job sets its total before advancing, so done <= total holds.
  snapshot->done = done.load();
  snapshot->total = total.load();
  {
    std::lock_guard<std::mutex> text_lock(text_mutex);
    snapshot->stage = stage;
    snapshot->current_item = current_item;
    snapshot->metrics = metrics;
    snapshot->recent_log.assign(log_ring.begin(), log_ring.end());
    snapshot->log_lines_total = log_lines_total;
  }
  snapshot->error_kind = error_kind;
  snapshot->error_message = error_message;
  snapshot->result = result;
  snapshot->started_at = started_at;
  snapshot->finished_at = finished_at;
  if (state == JobState::Running) {
    const auto now = std::chrono::steady_clock::now();
    snapshot->elapsed_seconds = std::chrono::duration<double>(now - started_steady).count();
    snapshot->rate = rate.update(snapshot->done, now);
    if (snapshot->total > 0 && snapshot->rate > 0 && snapshot->done <= snapshot->total)
      snapshot->eta_seconds = static_cast<double>(snapshot->total - snapshot->done) / snapshot->rate;
  } else if (is_finished(state)) {
    snapshot->elapsed_seconds =
        std::chrono::duration<double>(finished_steady - started_steady).count();
    if (snapshot->elapsed_seconds > 0)  // the average over the whole run
      snapshot->rate = static_cast<double>(snapshot->done) / snapshot->elapsed_seconds;
  }
  published.store(std::move(snapshot));
}

}  // namespace loupe::jobs
