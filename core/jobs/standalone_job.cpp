#include "core/jobs/standalone_job.h"

#include "core/jobs/job_record.h"

namespace loupe::jobs {

StandaloneJob::StandaloneJob(std::string name)
    : record_(std::make_unique<JobRecord>(0, std::move(name), nullptr, "")),
      context_(std::make_unique<JobContext>(*record_)) {}

StandaloneJob::~StandaloneJob() = default;

void StandaloneJob::cancel() { record_->cancel.store(true); }
int64_t StandaloneJob::done() const { return record_->done.load(); }
int64_t StandaloneJob::total() const { return record_->total.load(); }

}  // namespace loupe::jobs
