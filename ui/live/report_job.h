// File > Export report: the open workspace's study report, written by the function `loupe report`
// runs (core/study/study_report.h). Torch-free interface, so the menus do not include LibTorch.
#pragma once
#include <string>

#include "core/jobs/job.h"

namespace loupe::ui {

struct ReportExportRequest {
  std::string workspace;                    // the open workspace
  std::string out;                          // the report's folder
  std::string formats = "html,md,json,pdf"; // as `loupe report --format`
};

// Writes the report (the gallery loads the workspace's model on the CPU in float32, as `loupe
// report` does by default) and returns one status line: the folder, the counts, and a note when
// report.pdf was skipped for want of Chromium. Throws InputError for a folder without a workspace
// and what writing the files throws; an unreadable table is named in the report instead.
std::string write_workspace_report(const ReportExportRequest& request, jobs::JobContext& job);

}  // namespace loupe::ui
