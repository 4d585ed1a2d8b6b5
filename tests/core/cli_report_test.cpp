// `loupe report` on a small real study of the demo model: the files land, every number of
// report.json equals the analysis file it came from, figures are whole, and bad input writes
// nothing. report.pdf is printed when Chromium is installed (the set-up installs it).
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "core/report/pdf_print.h"
#include "core/util/atomic_file.h"
#include "support/report_numbers.h"
#include "support/temp_dir.h"

using namespace loupe;
namespace fs = std::filesystem;
using loupe::test::kDemoModel;
using loupe::test::quoted;
using loupe::test::require_loupe_ok;
using loupe::test::run_loupe;
using loupe::test::TempDir;

namespace {

// synth -> init -> extract two layers -> a TopK SAE -> feature analysis and probes.
struct ReportStudy {
  TempDir dir{"loupe-report-cli"};
  fs::path root = dir.path / "ws";
  std::string ws = " --workspace " + quoted(root);
  ReportStudy() {
    require_loupe_ok("synth --out " + quoted(dir.path / "data") + " --n 16 --seed 3");
    require_loupe_ok("init" + ws + " --model '" + kDemoModel + "' --dataset " + quoted(dir.path / "data"));
    require_loupe_ok("extract" + ws + " --hooks blocks.1.hook_resid_post,blocks.2.hook_resid_post --limit 16");
    require_loupe_ok("train-sae" + ws + " --hook blocks.2.hook_resid_post --out l2 --expansion 2 --k 8 --batch 64 --tokens 1280");
    require_loupe_ok("analyze features" + ws + " --sae l2 --by figure --out feat");
    require_loupe_ok("analyze probe" + ws + " --out layers");
  }
};

nlohmann::json report_section(const nlohmann::json& report, const std::string& id) {
  for (const nlohmann::json& section : report["sections"])
    if (section["id"] == id) return section;
  return nullptr;
}

}  // namespace

TEST_CASE("loupe report writes HTML, Markdown and JSON whose numbers are the workspace's", "[report][cli]") {
  const ReportStudy study;
  const fs::path out = study.dir.path / "report";
  const auto run = run_loupe("report" + study.ws + " --out " + quoted(out));
  INFO(run.err);
  REQUIRE(run.status == 0);
  CHECK_THAT(run.out, Catch::Contains("wrote " + (out / "report.html").string()) && Catch::Contains("sections"));

  const nlohmann::json report = nlohmann::json::parse(util::read_file((out / "report.json").string()));
  const std::vector<std::string> wrong = loupe::test::numbers_not_from_source(report, study.root);
  INFO((wrong.empty() ? "" : wrong.front()));
  CHECK(wrong.empty());
  for (const char* id : {"model-data", "sae", "latents", "layers"}) CHECK_FALSE(report_section(report, id).is_null());
  CHECK(report_section(report, "patching").is_null());
  CHECK(report["missing"].size() == 5);  // captions, maps, patching, steering, mitigation
  CHECK(report_section(report, "latents")["tables"].size() == 4);
  CHECK(report_section(report, "latents")["runs"][0].get<std::string>().rfind("analyze features at ", 0) == 0);

  const std::string html = util::read_file((out / "report.html").string());
  size_t figures = 0;
  for (const nlohmann::json& section : report["sections"])
    for (const nlohmann::json& figure : section["figures"]) {
      ++figures;
      const std::string svg = util::read_file((out / figure["file"].get<std::string>()).string());
      CHECK(svg.rfind("<?xml", 0) == 0);
      CHECK(svg.find("</svg>") != std::string::npos);
      CHECK(html.find("<figure id=\"" + fs::path(figure["file"].get<std::string>()).stem().string() + "\">\n<svg") != std::string::npos);
    }
  CHECK(figures == 4);  // SAE error and quality curves, the alignment scatter, the probe curve
  // The gallery: up to 3 latents of each of the 4 top tables, up to 2 images each, drawn as PNG.
  const nlohmann::json latents = report_section(report, "latents");
  const nlohmann::json& images = latents["images"];
  INFO(latents["problems"].dump());
  CHECK(images.size() >= 4);
  CHECK(images.size() <= 24);
  for (const nlohmann::json& image : images) {
    CHECK(util::read_file((out / image["file"].get<std::string>()).string()).substr(1, 3) == "PNG");
    CHECK_FALSE(image["caption"].get<std::string>().empty());
  }
  CHECK(html.find("<img alt=\"latent ") != std::string::npos);
  CHECK(html.find("src=\"data:image/png;base64,iVBORw0KGgo") != std::string::npos);
  for (const char* fetch : {"src=\"http", "href=\"http", "<link", "<script", "@import"})  // self-contained
    CHECK(html.find(fetch) == std::string::npos);
  CHECK(util::read_file((out / "report.md").string()).find("](figures/") != std::string::npos);

  const std::string rerun = util::read_file((out / "rerun.sh").string());
  CHECK_THAT(rerun, Catch::Contains("loupe train-sae --workspace \"$W\"") && Catch::Contains("--hook blocks.2.hook_resid_post") &&
                        Catch::Contains("loupe analyze features --workspace \"$W\"") && Catch::Contains("--by figure --out feat --sae l2"));

  const auto bad = run_loupe("report" + study.ws + " --out " + quoted(study.dir.path / "bad") + " --format html,docx");
  CHECK(bad.status != 0);
  CHECK_THAT(bad.err, Catch::Contains("--format takes html, md, json and pdf, not 'docx'"));
  CHECK_FALSE(fs::exists(study.dir.path / "bad"));
  const auto negative = run_loupe("report" + study.ws + " --out " + quoted(study.dir.path / "bad") + " --gallery -1");
  CHECK(negative.status != 0);
  CHECK_THAT(negative.err, Catch::Contains("--gallery"));
  CHECK_FALSE(fs::exists(study.dir.path / "bad"));
  const auto nowhere = run_loupe("report --workspace " + quoted(study.dir.path / "none"));
  CHECK(nowhere.status != 0);
  CHECK_THAT(nowhere.err, Catch::Contains("loupe init"));

  // PDF: printed when Chromium is there; a Chromium that fails leaves no PDF and says so.
  const fs::path pdf_out = study.dir.path / "pdf";
  if (report::find_chromium()) {
    const auto printed = run_loupe("report" + study.ws + " --out " + quoted(pdf_out) + " --format pdf --gallery 0");
    INFO(printed.err);
    REQUIRE(printed.status == 0);
    CHECK(util::read_file((pdf_out / "report.pdf").string()).rfind("%PDF", 0) == 0);
    CHECK_FALSE(fs::exists(pdf_out / "report.html"));  // printed from, not asked for
  } else {
    WARN("no Chromium on PATH: report.pdf not checked");
  }
  ::setenv("LOUPE_CHROMIUM", "/bin/false", 1);
  const auto failed = run_loupe("report" + study.ws + " --out " + quoted(study.dir.path / "failed") + " --format json,pdf --gallery 0");
  ::unsetenv("LOUPE_CHROMIUM");
  CHECK(failed.status != 0);
  CHECK_THAT(failed.err, Catch::Contains("failed to print"));
  CHECK_FALSE(fs::exists(study.dir.path / "failed" / "report.pdf"));
  CHECK_FALSE(fs::exists(study.dir.path / "failed" / "report.pdf.partial"));

  // The images gone: the gallery names each it could not draw, and the report is still written.
  fs::remove_all(study.dir.path / "data" / "images");
  const auto gone = run_loupe("report" + study.ws + " --out " + quoted(study.dir.path / "gone") + " --format json --gallery 1");
  INFO(gone.err);
  REQUIRE(gone.status == 0);
  const nlohmann::json without = report_section(nlohmann::json::parse(util::read_file((study.dir.path / "gone" / "report.json").string())), "latents");
  CHECK(without["images"].empty());
  REQUIRE_FALSE(without["problems"].empty());
  CHECK_THAT(without["problems"][0].get<std::string>(), Catch::StartsWith("latent ") && Catch::Contains("/data/images/"));
  CHECK_THAT(gone.err, Catch::Contains("could not read latent "));
}
