// A JobContext for work that runs outside any JobRunner: the live worker's captions, a direct call
// from a test. Long actions take a JobContext (core/jobs/job.h) whoever calls them; this one counts
// progress that nobody shows and carries a cancel flag that another thread may raise.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "core/jobs/job.h"

namespace loupe::jobs {

class StandaloneJob {
 public:
  explicit StandaloneJob(std::string name = "standalone");
  ~StandaloneJob();
  StandaloneJob(const StandaloneJob&) = delete;
  StandaloneJob& operator=(const StandaloneJob&) = delete;

  JobContext& context() { return *context_; }
  void cancel();  // any thread; the work stops at its next check (throw_if_cancelled)
  int64_t done() const;
  int64_t total() const;

 private:
  std::unique_ptr<JobRecord> record_;
  std::unique_ptr<JobContext> context_;
};

}  // namespace loupe::jobs
