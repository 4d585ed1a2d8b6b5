// ReportStudy reports (core/report/report.h) on hand-made workspaces: each number taken from its source
// file, sections only for what the workspace holds, a corrupt table named while the rest goes on,
// and the appendix' command lines.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>

#include "core/report/provenance.h"
#include "core/report/report.h"
#include "core/report/report_writers.h"
#include "core/util/atomic_file.h"
#include "core/workspace/workspace.h"
#include "support/report_numbers.h"
#include "support/temp_dir.h"

using namespace loupe;
using namespace loupe::report;
namespace fs = std::filesystem;
using loupe::test::TempDir;

namespace {

struct ReportStudy {
  TempDir dir{"loupe-report"};
  fs::path model = dir.path / "model", dataset = dir.path / "data";
  workspace::Workspace ws = make();

  workspace::Workspace make() {
    fs::create_directories(model);
    fs::create_directories(dataset);
    util::write_file_atomic((model / "config.json").string(), "{\"model_type\": \"gemma3\"}\n");
    util::write_file_atomic((model / "model.safetensors").string(), std::string(100, '\x01'));
    util::write_file_atomic((dataset / "image_caption.csv").string(), "image,caption,gender\na.png,a woman,woman\n");
    return workspace::Workspace::init(dir.path / "ws", model, dataset);
  }
  void write(const std::string& relative, const std::string& text) const {
    fs::create_directories((ws.root() / relative).parent_path());
    util::write_file_atomic((ws.root() / relative).string(), text);
  }
  void log(const std::string& command, const nlohmann::json& parameters) const {
    ws.log_run({command, parameters, "2026-12-04T10:00:00Z", "2026-12-04T10:00:05Z", "ok", "", nullptr});
  }
};

// 14 latents: d_en = (l - 6) / 4, d_ar = (6 - l) / 5; latent 3 is never active in Arabic (empty d).
std::string latents_csv() {
  std::string csv = "latent,frequency_en,frequency_ar,cohens_d_en,q_en,cohens_d_ar,q_ar,alignment_r,mean_activation\n";
  for (int l = 0; l < 14; ++l) {
    const std::string ar = l == 3 ? "" : std::to_string((6 - l) / 5.0);
    csv += std::to_string(l) + ",0.5,0.25," + std::to_string((l - 6) / 4.0) + ",0.01," + ar + "," + (l == 3 ? "" : "0.2") + ",0.75,1.5\n";
  }
  return csv;
}

const char* kProbe =
    "hook,target,lang,accuracy_mean,accuracy_std\n"
    "blocks.0.hook_resid_post,figure,en,0.6,0.05\nblocks.1.hook_resid_post,figure,en,0.8,0.04\n"
    "blocks.0.hook_resid_post,figure,ar,0.55,0.05\nblocks.1.hook_resid_post,figure,ar,0.7,0.03\n";

const char* kMitigation = R"({"split": "counter", "images": 2,
  "en": {"baseline": {"misgendered_counter": 0.5, "bleu": 12.5}, "intervened": {"misgendered_counter": 0.25, "bleu": 11.0},
         "changed": 0.5, "error_flips": {"fixed": 1, "introduced": 0, "mcnemar_p": 1.0}},
  "ar": {"baseline": {"misgendered_counter": 1.0}, "intervened": {"misgendered_counter": 0.5}},
  "captions": [{"image": "/data/a.png", "figure": "woman", "en": "a man cooking", "en_intervened": "a woman cooking",
                "ar": "رجل يطبخ", "ar_intervened": "امرأة تطبخ"},
               {"image": "/data/b.png", "figure": "man", "en": "a man", "en_intervened": "a man", "ar": "رجل", "ar_intervened": "رجل"}]})";

const ReportSection* section_of(const Report& report, const std::string& id) {
  for (const ReportSection& s : report.sections)
    if (s.id == id) return &s;
  return nullptr;
}

OptionKind test_options(const std::string& command, const std::string& option) {
  if (command != "analyze features") return {};
  if (option == "sae" || option == "out" || option == "by" || option == "limit" || option == "note") return {true, false, false};
  if (option == "hooks") return {true, false, false};
  if (option == "quiet") return {true, true, false};
  if (option == "lang") return {true, false, true};
  return {};
}

}  // namespace

TEST_CASE("an empty workspace gives a short report that says what is missing", "[report]") {
  const ReportStudy study;
  const Report report = build_report(study.ws, test_options);
  REQUIRE(report.sections.size() == 1);
  CHECK(report.sections[0].id == "model-data");
  CHECK(report.missing.size() == 8);
  CHECK(std::any_of(report.missing.begin(), report.missing.end(), [](const std::string& m) { return m.find("loupe train-sae") != std::string::npos; }));
  const nlohmann::json json = nlohmann::json::parse(report_json(report).dump());
  const nlohmann::json& checksums = json["sections"][0]["tables"][0]["rows"];
  REQUIRE(checksums.size() == 3);  // config.json, model.safetensors, image_caption.csv
  CHECK(checksums[1]["bytes"] == 100);
  CHECK(loupe::test::numbers_not_from_source(json, study.ws.root()).empty());
  CHECK(report_html(report).find("Not in this workspace yet") != std::string::npos);
}

TEST_CASE("every number of report.json equals the file it names", "[report]") {
  const ReportStudy study;
  study.write("analyses/feat/latents.csv", latents_csv());
  study.write("analyses/feat/summary.json", R"({"sae": "l2", "grouping": "figure", "alignment": {"active_in_both": 13, "aligned": 4, "ratio": 0.3077}})");
  study.write("analyses/layers/probe.csv", kProbe);
  study.write("analyses/mit/mitigation.json", kMitigation);
  study.write("saes/l2/cfg.json", "{}");
  study.write("saes/l2/eval.json", R"({"hook": "blocks.1.hook_resid_post", "l0": 8.5, "explained_variance": 0.91, "clean_loss": 2.0, "sae_loss": 2.25})");
  study.write("saes/l2/metrics.jsonl", "{\"tokens\": 100, \"mse\": 0.5, \"explained_variance\": 0.2, \"dead_fraction\": 0.1}\n"
                                       "{\"tokens\": 200, \"mse\": 0.25, \"explained_variance\": 0.6, \"dead_fraction\": 0.05}\n");
  study.log("analyze features", {{"out", "feat"}, {"sae", "l2"}});
  const Report report = build_report(study.ws, test_options);
  const nlohmann::json json = nlohmann::json::parse(report_json(report).dump());

  const std::vector<std::string> wrong = loupe::test::numbers_not_from_source(json, study.ws.root());
  INFO((wrong.empty() ? "" : wrong.front()));
  CHECK(wrong.empty());
  nlohmann::json tampered = json;  // the check itself can fail
  for (nlohmann::json& section : tampered["sections"]) {
    if (section["id"] == "latents") section["tables"][0]["rows"][0]["cohens_d_en"] = 9.0;
    if (section["id"] == "sae") section["values"][0]["value"] = "blocks.0.hook_resid_post";
  }
  CHECK(loupe::test::numbers_not_from_source(tampered, study.ws.root()).size() == 2);
  for (const char* id : {"model-data", "captions", "sae", "latents", "layers", "mitigation", "provenance"}) CHECK(section_of(report, id));
  CHECK_FALSE(section_of(report, "patching"));

  const ReportSection& latents = *section_of(report, "latents");
  REQUIRE(latents.tables.size() == 4);  // most female, most male: English, then Arabic
  CHECK(latents.tables[0].rows.size() == 10);
  CHECK(latents.tables[0].rows[0][0] == "13");  // largest d_en
  CHECK(latents.tables[1].rows[0][0] == "0");   // smallest d_en
  CHECK(latents.tables[2].rows[0][0] == "0");   // largest d_ar
  CHECK(latents.tables[3].rows[0][0] == "13");  // smallest d_ar
  CHECK(std::none_of(latents.tables[2].rows.begin(), latents.tables[2].rows.end(), [](const auto& row) { return row[0] == "3"; }));
  REQUIRE(latents.runs.size() == 1);
  CHECK(latents.runs[0] == "analyze features at 2026-12-04T10:00:05Z");
  CHECK(latents.figures.size() == 1);  // the alignment scatter

  const ReportSection& mitigation = *section_of(report, "mitigation");
  const ReportTable& examples = mitigation.tables.back();
  REQUIRE(examples.rows.size() == 1);  // the unchanged caption is left out
  CHECK(examples.rows[0][0] == "a.png");
  CHECK(report_html(report).find("<td dir=\"rtl\" lang=\"ar\">امرأة تطبخ</td>") != std::string::npos);
  CHECK(section_of(report, "sae")->figures.size() == 2);
  CHECK(section_of(report, "layers")->figures.size() == 1);
}

TEST_CASE("the SAE section says what each dead-latent figure counts", "[report]") {
  const ReportStudy study;
  study.write("saes/short/cfg.json", "{}");
  study.write("saes/short/summary.json", R"({"tokens": 4096, "dead_tokens": 262144, "held_out": {"vectors": 40}})");
  study.write("saes/long/cfg.json", "{}");
  study.write("saes/long/summary.json", R"({"tokens": 1000000, "dead_tokens": 8192, "held_out": {"vectors": 900}})");
  study.write("saes/old/cfg.json", "{}");
  study.write("saes/old/summary.json", R"({"tokens": 4096})");  // written before summaries had dead_tokens
  study.write("saes/short/metrics.jsonl", "{\"tokens\": 4096, \"mse\": 0.5, \"explained_variance\": 0.2, \"dead_fraction\": 0}\n");
  const Report report = build_report(study.ws, test_options);
  const ReportSection* saes = section_of(report, "sae");
  REQUIRE(saes);
  const auto note_of = [&](const std::string& name) {
    for (const std::string& note : saes->notes)
      if (note.rfind(name + ": ", 0) == 0) return note;
    return std::string();
  };
  CHECK_THAT(note_of("short"), Catch::Contains("silent for the last 262144 tokens") &&
                                   Catch::Contains("trained on 4096 tokens, fewer than 262144, so its curve stays at 0") &&
                                   Catch::Contains("none of its 40 held-out vectors"));
  CHECK_THAT(note_of("long"), Catch::Contains("last 8192 tokens") && !Catch::Contains("fewer than"));
  CHECK_THAT(note_of("old"), Catch::Contains("--dead-tokens (262,144 by default)") && !Catch::Contains("fewer than"));
}

TEST_CASE("a corrupt table is named in its section and the rest of the report goes on", "[report]") {
  const ReportStudy study;
  study.write("analyses/feat/latents.csv", "latent,frequency_en\n0,0.5\n");  // no Cohen's d columns
  study.write("analyses/layers/probe.csv", kProbe);
  study.write("analyses/mit/mitigation.json", "{\"en\": ");
  const Report report = build_report(study.ws, test_options);
  const ReportSection* latents = section_of(report, "latents");
  REQUIRE(latents);
  REQUIRE_FALSE(latents->problems.empty());
  CHECK(latents->problems[0].find("analyses/feat/latents.csv") == 0);
  CHECK(latents->problems[0].find("cohens_d_en") != std::string::npos);
  const ReportSection* mitigation = section_of(report, "mitigation");
  REQUIRE(mitigation);
  CHECK(mitigation->problems.at(0).find("analyses/mit/mitigation.json: not JSON") == 0);
  const ReportSection* layers = section_of(report, "layers");
  REQUIRE(layers);
  CHECK(layers->tables.size() == 1);
  CHECK(layers->figures.size() == 1);
  CHECK(report_html(report).find("Could not read analyses/feat/latents.csv") != std::string::npos);
}

TEST_CASE("the appendix re-runs each successful run with the options it recorded", "[report]") {
  workspace::RunRecord run{"analyze features", nlohmann::json::object(), "", "", "ok", "", nullptr};
  run.parameters = {{"sae", "l2"}, {"out", "my run"}, {"by", "figure"}, {"limit", 0}, {"hooks", {"a", "b"}}, {"quiet", true},
                    {"lang", {"en", "ar"}}, {"note", "it's"}, {"model", "/derived/not/an/option"}, {"workspace", "/old"}};
  CHECK(rerun_command(run, "\"$W\"", test_options) ==
        "loupe analyze features --workspace \"$W\" --by figure --hooks a,b --lang en --lang ar --note 'it'\\''s' --out 'my run' --quiet --sae l2");
  run.parameters["quiet"] = false;
  run.parameters["limit"] = 16;
  CHECK(rerun_command(run, "W", test_options).find("--limit 16 --note") != std::string::npos);
  CHECK(rerun_command(run, "W", test_options).find("--quiet") == std::string::npos);
  CHECK(shell_quote("blocks.2.hook_resid_post") == "blocks.2.hook_resid_post");
  CHECK(shell_quote("") == "''");

  const ReportStudy study;
  study.log("analyze features", {{"out", "feat"}, {"sae", "l2"}});
  study.ws.log_run({"analyze probe", nlohmann::json::object(), "", "", "failed", "no store", nullptr});
  const Report report = build_report(study.ws, test_options);
  REQUIRE(report.commands.size() == 1);
  CHECK(report.commands[0] == "loupe analyze features --workspace \"$W\" --out feat --sae l2");
  const std::string script = rerun_script(report);
  CHECK(script.find("W=${W:-" + study.ws.root().string() + "-rerun}\n") != std::string::npos);
  CHECK(script.rfind("#!/usr/bin/env bash\n", 0) == 0);
}
