#include "core/study/study_report.h"

namespace loupe::study {

StudyReport write_study_report(const workspace::Workspace& workspace, const StudyReportRequest& request,
                               const report::OptionLookup& options) {
  StudyReport out;
  out.report = report::build_report(workspace, options);
  add_latent_gallery(out.report, workspace, request.load, request.gallery);
  out.written = report::write_report_files(out.report, request.out, request.formats);
  return out;
}

std::string report_counts(const report::Report& report) {
  size_t figures = 0, images = 0, problems = 0;
  for (const report::ReportSection& section : report.sections) {
    figures += section.figures.size();
    images += section.images.size();
    problems += section.problems.size();
  }
  std::string line = std::to_string(report.sections.size()) + " sections, " + std::to_string(figures) + " figures, " +
                     std::to_string(images) + " gallery images; " + std::to_string(report.missing.size()) +
                     " parts of a study not in the workspace yet";
  if (problems) line += "; " + std::to_string(problems) + " files could not be read (named in the report)";
  return line;
}

}  // namespace loupe::study
