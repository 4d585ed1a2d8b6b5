// Text pieces of a progress display, shared by the CLI printer and anything else that shows a job
// as text (log files, reports).
#pragma once
#include <string>

#include "core/jobs/job.h"

namespace loupe::jobs {

std::string format_duration(double seconds);  // "0:07", "12:34", "1:02:03"
std::string format_rate(double per_second);    // "35.2/s", "1.25k/s", "3.1M/s"

// "120/500 (24%), 35.2/s, ETA 0:11"; without a total: "120 done, 35.2/s".
std::string progress_summary(const JobSnapshot& snapshot);

// One terminal line: "name [stage] [#####-----] 120/500 24% 35.2/s ETA 0:11 item", cut to at
// most `columns` characters (counted as UTF-8 code points).
std::string progress_bar_line(const JobSnapshot& snapshot, int columns);

}  // namespace loupe::jobs
