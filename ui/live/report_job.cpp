#include "ui/live/report_job.h"

#include "app/cli/commands.h"
#include "core/report/report_files.h"
#include "core/study/study_report.h"

namespace loupe::ui {

std::string write_workspace_report(const ReportExportRequest& request, jobs::JobContext& job) {
  const workspace::Workspace space = workspace::Workspace::open(request.workspace);
  study::StudyReportRequest report;
  report.out = request.out;
  report.formats = report::parse_report_formats(request.formats);
  job.set_stage("writing the report");
  const study::StudyReport written = study::write_study_report(space, report, cli::report_option_kind);
  std::string line = "report written to " + request.out + ": " + study::report_counts(written.report);
  if (written.written.pdf_skipped) line += "; no report.pdf: Chromium is not installed";
  return line;
}

}  // namespace loupe::ui
