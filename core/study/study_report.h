// A workspace's whole study report, as `loupe report` and the GUI's File > Export report both
// write it: core/report's sections, the latent gallery (which loads the workspace's model), and the
// files in the formats asked for (docs/reports.md).
#pragma once
#include <filesystem>
#include <set>
#include <string>

#include "core/model/vlm.h"
#include "core/report/provenance.h"
#include "core/report/report_files.h"
#include "core/study/latent_gallery.h"

namespace loupe::study {

struct StudyReportRequest {
  std::filesystem::path out;      // the report's folder
  std::set<std::string> formats;  // html, md, json, pdf (report::parse_report_formats)
  GalleryOptions gallery;
  model::LoadOptions load;        // the gallery's model: the workspace's, on this device and dtype
};

struct StudyReport {
  report::Report report;
  report::WrittenReport written;
};

// Throws what report::write_report_files and loading the workspace's model throw; a missing or
// corrupt table is a problem named in the report, not an error.
StudyReport write_study_report(const workspace::Workspace& workspace, const StudyReportRequest& request,
                               const report::OptionLookup& options);

// "7 sections, 12 figures, 6 gallery images; 2 parts of a study not in the workspace yet" and,
// when some file could not be read, "; 1 files could not be read (named in the report)".
std::string report_counts(const report::Report& report);

}  // namespace loupe::study
