#include "core/report/report.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>
#include <system_error>

#include "core/error.h"
#include "core/io/csv.h"
#include "core/report/figure.h"
#include "core/report/study_figures.h"
#include "core/report/svg.h"
#include "core/util/atomic_file.h"
#include "core/workspace/checksums.h"

namespace loupe::report {

namespace fs = std::filesystem;

namespace {

constexpr double kFigureWidth = 720, kFigureHeight = 420;
constexpr size_t kTopLatents = 10, kTopPatchCells = 8;

io::CsvTable read_csv(const fs::path& path, const std::string& name) {
  return io::parse_csv_table(util::read_file(path.string()), name);
}

// The cell as a number; NaN when it is not one.
double cell_number(const std::string& text) { return io::parse_number(text).value_or(std::nan("")); }

// The rows (by index) whose `column` holds a finite number, largest first.
std::vector<size_t> rows_by_descending(const io::CsvTable& csv, size_t column) {
  std::vector<size_t> order;
  for (size_t r = 0; r < csv.rows.size(); ++r)
    if (std::isfinite(cell_number(csv.at(csv.rows[r], column)))) order.push_back(r);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return cell_number(csv.at(csv.rows[a], column)) > cell_number(csv.at(csv.rows[b], column));
  });
  return order;
}

// The rows (by index into csv.rows) restricted to `columns`, as a table.
ReportTable select_rows(const io::CsvTable& csv, const std::string& title, const std::vector<std::string>& columns,
                        const std::vector<size_t>& rows) {
  ReportTable table{title, csv.name, columns, {}};
  std::vector<size_t> index;
  for (const std::string& c : columns) index.push_back(csv.column(c));
  for (size_t r : rows) {
    std::vector<std::string> cells;
    for (size_t c : index) cells.push_back(csv.at(csv.rows[r], c));
    table.rows.push_back(std::move(cells));
  }
  return table;
}

ReportTable whole_table(const io::CsvTable& csv, const std::string& title) {
  std::vector<size_t> rows(csv.rows.size());
  for (size_t r = 0; r < rows.size(); ++r) rows[r] = r;
  return select_rows(csv, title, csv.header, rows);
}

ReportSection new_section(const char* id, const char* title) {
  ReportSection section;
  section.id = id;
  section.title = title;
  return section;
}

struct Context {
  const workspace::Workspace& ws;
  std::vector<workspace::RunRecord> runs;
  std::vector<StudyFigure> figures;

  std::string relative(const fs::path& path) const { return path.lexically_relative(ws.root()).generic_string(); }

  // Runs `body`; a loupe::Error becomes a problem of the section naming `file`, and the report goes on.
  void guarded(ReportSection& section, const fs::path& file, const std::function<void()>& body) const {
    try {
      body();
    } catch (const Error& e) {
      section.problems.push_back(relative(file) + ": " + e.what());
    } catch (const nlohmann::json::exception& e) {
      section.problems.push_back(relative(file) + ": not the expected JSON (" + e.what() + ")");
    }
  }

  void note_run(ReportSection& section, const std::string& command, const std::string& key, const std::string& value) const {
    if (const auto run = find_run(runs, command, key, value)) {
      const std::string label = run_label(*run);
      if (std::find(section.runs.begin(), section.runs.end(), label) == section.runs.end()) section.runs.push_back(label);
    }
  }

  // Every figure of `section_id` drawn from a file of `folder`, captioned with the run that wrote it.
  void add_figures(ReportSection& section, const std::string& section_id, const fs::path& folder) const {
    for (const StudyFigure& figure : figures) {
      if (figure.section != section_id || figure.source.parent_path() != folder) continue;
      guarded(section, figure.source, [&] {
        const Plot plot = load_study_figure(figure, study_figure_caption(ws, runs, figure));
        section.figures.push_back({figure.id, figure.spec.title, study_figure_file_name(figure.id),
                                   svg(lay_out(plot, kFigureWidth, kFigureHeight))});
      });
    }
  }

  void add_value(ReportSection& section, const nlohmann::json& document, const fs::path& file, const std::string& pointer,
                 const std::string& label) const {
    const nlohmann::json::json_pointer at(pointer);
    if (!document.contains(at) || !(document.at(at).is_number() || document.at(at).is_string())) return;
    section.values.push_back({label, relative(file), pointer, document.at(at)});
  }
};

std::vector<fs::path> folders_with(const fs::path& parent, const std::string& file) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(parent, ec))
    if (entry.is_directory(ec) && fs::is_regular_file(entry.path() / file, ec)) out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

nlohmann::json read_json(const fs::path& path) {
  const nlohmann::json document = nlohmann::json::parse(util::read_file(path.string()), nullptr, false);
  if (document.is_discarded()) throw FormatError("not JSON");
  return document;
}

ReportSection model_and_data(const Context& c) {
  ReportSection section = new_section("model-data", "Model and data");
  section.notes.push_back("Model: " + c.ws.model().string());
  section.notes.push_back("Dataset: " + c.ws.dataset().string());
  ReportTable files{"Checksums (SHA-256)", "", {"file", "bytes", "sha256"}, {}};
  workspace::ChecksumCache cache(c.ws.root() / workspace::kChecksumsFileName);
  for (const fs::path& path : c.ws.study_files()) {
    c.guarded(section, path, [&] {
      const workspace::FileChecksum checksum = cache.checksum(path);
      files.rows.push_back({path.string(), std::to_string(checksum.bytes), checksum.sha256});
    });
  }
  try {
    cache.save();
  } catch (const IoError&) {
    // only a cache
  }
  section.tables.push_back(std::move(files));
  c.note_run(section, "init", "dataset", c.ws.dataset().string());
  return section;
}

// Every logged run with the files it read, as runs.jsonl holds them: a row per input.
ReportSection provenance(const Context& c) {
  ReportSection section = new_section("provenance", "Provenance: runs and their inputs");
  ReportTable table{"Runs", workspace::kRunsFileName, {"command", "started", "outcome", "loupe_version", "input", "bytes", "sha256"}, {}};
  for (const workspace::RunRecord& run : c.runs) {
    const std::vector<std::string> head{run.command, run.started, run.outcome, run.loupe_version};
    if (run.inputs.empty()) table.rows.push_back({head[0], head[1], head[2], head[3], "", "", ""});
    for (const workspace::RunInput& input : run.inputs)
      table.rows.push_back({head[0], head[1], head[2], head[3], input.path,
                            input.problem.empty() ? std::to_string(input.bytes) : "", input.problem.empty() ? input.sha256 : input.problem});
  }
  section.notes.push_back("Each run's inputs are hashed when it ends (runs.jsonl; docs/store.md#runs). A run logged before "
                          "loupe 0.9.1 lists none.");
  if (!table.rows.empty()) section.tables.push_back(std::move(table));
  return section;
}

// The baseline captions' quality and bias, from each mitigation run (its baseline is the model alone).
void caption_measures(const Context& c, ReportSection& section, const fs::path& file) {
  c.guarded(section, file, [&] {
    const nlohmann::json document = read_json(file);
    const std::string run = file.parent_path().filename().string();
    for (const char* lang : {"en", "ar"}) {
      const std::string base = std::string("/") + lang + "/baseline";
      const std::string prefix = std::string(lang) + " (" + run + "): ";
      c.add_value(section, document, file, base + "/misgendered_counter", prefix + "misgendered, counter-stereotypical images");
      c.add_value(section, document, file, base + "/misgendered_stereo", prefix + "misgendered, stereotypical images");
      c.add_value(section, document, file, base + "/gendered_neutral", prefix + "gendered caption for a neutral figure");
      c.add_value(section, document, file, base + "/bias/accuracy/gap", prefix + "accuracy gap, woman minus man");
      c.add_value(section, document, file, base + "/bleu", prefix + "BLEU");
      c.add_value(section, document, file, base + "/rouge_l", prefix + "ROUGE-L");
    }
    c.add_value(section, document, file, "/split", "split (" + run + ")");
    c.add_value(section, document, file, "/images", "images (" + run + ")");
    c.note_run(section, "mitigate", "out", run);
  });
}

// What the two dead-latent figures count: the training curve's window and the held-out vectors.
std::string dead_latents_note(const std::string& name, const nlohmann::json& summary) {
  const bool known = summary.contains("dead_tokens") && summary.at("dead_tokens").is_number_integer();
  const int64_t window = known ? summary.at("dead_tokens").get<int64_t>() : 262144;
  const int64_t tokens = summary.value("tokens", int64_t(0));
  const int64_t held_out = summary.contains("held_out") ? summary.at("held_out").value("vectors", int64_t(0)) : 0;
  const std::string window_words = known ? std::to_string(window) + " tokens (--dead-tokens)" : "--dead-tokens (262,144 by default)";
  std::string note = name + ": the training curve's dead_fraction is the share of latents silent for the last " + window_words +
                     " of training, so it stays 0 until that many tokens have passed";
  if (known && tokens < window)
    note += "; this SAE trained on " + std::to_string(tokens) + " tokens, fewer than " + std::to_string(window) + ", so its curve stays at 0";
  return note + ". \"Dead latents (share)\" counts the saved SAE's latents that fire on none of its " + std::to_string(held_out) +
         " held-out vectors.";
}

void sae_section(const Context& c, ReportSection& section, const fs::path& folder) {
  const std::string name = folder.filename().string();
  const fs::path eval = folder / "eval.json";
  std::error_code ec;
  if (fs::is_regular_file(eval, ec)) {
    c.guarded(section, eval, [&] {
      const nlohmann::json document = read_json(eval);
      const std::string prefix = name + ": ";
      c.add_value(section, document, eval, "/hook", prefix + "hook");
      c.add_value(section, document, eval, "/training/d_sae", prefix + "latents");
      c.add_value(section, document, eval, "/training/mse", prefix + "MSE (training)");
      c.add_value(section, document, eval, "/explained_variance", prefix + "explained variance");
      c.add_value(section, document, eval, "/l0", prefix + "L0");
      c.add_value(section, document, eval, "/training/dead_fraction", prefix + "dead latents (share)");
      c.add_value(section, document, eval, "/clean_loss", prefix + "caption loss, clean");
      c.add_value(section, document, eval, "/sae_loss", prefix + "caption loss with the reconstruction");
      c.add_value(section, document, eval, "/zero_ablation_loss", prefix + "caption loss, hook zero-ablated");
      c.add_value(section, document, eval, "/fraction_of_loss_recovered", prefix + "fraction of loss recovered");
      for (const auto& [code, language] : {std::pair{"en", "English"}, std::pair{"ar", "Arabic"}}) {
        const std::string base = std::string("/by_language/") + code;
        const std::string label = prefix + language + " captions: ";
        c.add_value(section, document, eval, base + "/clean_loss", label + "caption loss, clean");
        c.add_value(section, document, eval, base + "/sae_loss", label + "caption loss with the reconstruction");
        c.add_value(section, document, eval, base + "/fraction_of_loss_recovered", label + "fraction of loss recovered");
      }
      for (const char* type : {"image", "text"}) {
        const std::string base = std::string("/by_spliced_token_type/") + type;
        const std::string label = prefix + "spliced at the " + type + " tokens only: ";
        c.add_value(section, document, eval, base + "/sae_loss", label + "caption loss");
        c.add_value(section, document, eval, base + "/zero_ablation_loss", label + "caption loss with those tokens zeroed");
        c.add_value(section, document, eval, base + "/fraction_of_loss_recovered", label + "fraction of loss recovered");
      }
      c.note_run(section, "eval-sae", "sae", name);
    });
  } else {
    section.notes.push_back(name + " has no caption-loss evaluation: loupe eval-sae --workspace W --sae " + name);
  }
  const fs::path summary = folder / "summary.json";
  if (fs::is_regular_file(summary, ec))
    c.guarded(section, summary, [&] { section.notes.push_back(dead_latents_note(name, read_json(summary))); });
  c.add_figures(section, "sae", folder);
  c.note_run(section, "train-sae", "out", name);
}

// The latents with the largest and the smallest Cohen's d in each language, as tables and as picks
// for the gallery.
void latents_section(const Context& c, ReportSection& section, const fs::path& folder, std::vector<LatentPick>& picks) {
  const std::string name = folder.filename().string();
  std::string sae;
  const fs::path summary = folder / "summary.json";
  std::error_code ec;
  if (fs::is_regular_file(summary, ec))
    c.guarded(section, summary, [&] {
      const nlohmann::json document = read_json(summary);
      sae = document.value("sae", std::string());
      const std::string prefix = name + ": ";
      c.add_value(section, document, summary, "/sae", prefix + "SAE");
      c.add_value(section, document, summary, "/grouping", prefix + "gender groups by");
      c.add_value(section, document, summary, "/alignment/active_in_both", prefix + "latents active in both languages");
      c.add_value(section, document, summary, "/alignment/aligned", prefix + "aligned latents");
      c.add_value(section, document, summary, "/alignment/ratio", prefix + "alignment ratio");
      c.add_value(section, document, summary, "/gender_bias_correlation", prefix + "gender bias correlation (d English vs d Arabic)");
    });
  const fs::path file = folder / "latents.csv";
  c.guarded(section, file, [&] {
    const io::CsvTable csv = read_csv(file, c.relative(file));
    const std::vector<std::string> columns{"latent", "frequency_en", "frequency_ar", "cohens_d_en", "q_en", "cohens_d_ar", "q_ar", "alignment_r"};
    const size_t latent = csv.column("latent");
    for (const char* lang : {"en", "ar"}) {
      const std::vector<size_t> order = rows_by_descending(csv, csv.column(std::string("cohens_d_") + lang));
      const size_t n = std::min(kTopLatents, order.size());
      const std::string language = std::string(lang) == "en" ? "English" : "Arabic";
      const std::vector<std::pair<std::string, std::vector<size_t>>> tops{
          {name + ": most female latents in " + language + " (largest d)", {order.begin(), order.begin() + long(n)}},
          {name + ": most male latents in " + language + " (smallest d)", {order.rbegin(), order.rbegin() + long(n)}}};
      for (const auto& [title, rows] : tops) {
        section.tables.push_back(select_rows(csv, title, columns, rows));
        LatentPick pick{title, c.relative(folder), sae, lang, {}};
        for (size_t r : rows) pick.latents.push_back(int64_t(cell_number(csv.at(csv.rows[r], latent))));
        picks.push_back(std::move(pick));
      }
    }
  });
  c.add_figures(section, "latents", folder);
  c.note_run(section, "analyze features", "out", name);
}

void table_and_figures(const Context& c, ReportSection& section, const fs::path& folder, const std::string& file, const std::string& title,
                       const std::string& command) {
  const fs::path path = folder / file;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return;
  c.guarded(section, path, [&] { section.tables.push_back(whole_table(read_csv(path, c.relative(path)), title)); });
  c.note_run(section, command, "out", folder.filename().string());
}

void layers_section(const Context& c, ReportSection& section, const fs::path& folder) {
  table_and_figures(c, section, folder, "summary.csv", "Per-layer summary (one row per SAE)", "analyze summary");
  table_and_figures(c, section, folder, "probe.csv", "Linear probes", "analyze probe");
  table_and_figures(c, section, folder, "rank.csv", "Effective rank and information content", "analyze rank");
  table_and_figures(c, section, folder, "lens.csv", "Logit lens", "analyze lens");
  table_and_figures(c, section, folder, "dla.csv", "Direct logit attribution", "analyze lens");
  c.add_figures(section, "layers", folder);
}

void patching_section(const Context& c, ReportSection& section, const fs::path& folder) {
  const fs::path file = folder / "patch.csv";
  c.guarded(section, file, [&] {
    const io::CsvTable csv = read_csv(file, c.relative(file));
    std::vector<size_t> order = rows_by_descending(csv, csv.column("restored"));
    order.resize(std::min(order.size(), kTopPatchCells));
    section.tables.push_back(select_rows(csv, folder.filename().string() + ": the cells that restore the most",
                                         {"layer", "position", "type", "token", "restored"}, order));
  });
  const auto run = find_run(c.runs, "patch-sweep", "out", folder.filename().string());
  if (run)
    section.notes.push_back("Clean image " + run->parameters.value("clean", std::string()) + ", corrupted image " +
                            run->parameters.value("corrupt", std::string()) + ", metric " + run->parameters.value("metric", std::string()) + ".");
  c.add_figures(section, "patching", folder);
  c.note_run(section, "patch-sweep", "out", folder.filename().string());
}

void mitigation_section(const Context& c, ReportSection& section, const fs::path& file) {
  const std::string name = file.parent_path().filename().string();
  c.guarded(section, file, [&] {
    const nlohmann::json document = read_json(file);
    for (const char* lang : {"en", "ar"}) {
      for (const char* run : {"baseline", "intervened"}) {
        const std::string base = std::string("/") + lang + "/" + run;
        const std::string prefix = name + " " + lang + " " + run + ": ";
        c.add_value(section, document, file, base + "/misgendered_counter", prefix + "misgendered, counter-stereotypical");
        c.add_value(section, document, file, base + "/misgendered_stereo", prefix + "misgendered, stereotypical");
        c.add_value(section, document, file, base + "/bleu", prefix + "BLEU");
        c.add_value(section, document, file, base + "/rouge_l", prefix + "ROUGE-L");
      }
      const std::string base = std::string("/") + lang;
      c.add_value(section, document, file, base + "/changed", name + " " + lang + ": captions changed (share)");
      c.add_value(section, document, file, base + "/error_flips/fixed", name + " " + lang + ": gender errors fixed");
      c.add_value(section, document, file, base + "/error_flips/introduced", name + " " + lang + ": gender errors introduced");
      c.add_value(section, document, file, base + "/error_flips/mcnemar_p", name + " " + lang + ": McNemar p");
      for (const char* change : {"wrong_to_none", "right_to_none", "wrong_to_right", "right_to_wrong"})
        c.add_value(section, document, file, base + "/gender_changes/counter/" + change,
                    name + " " + lang + ": counter-stereotypical gender words " + change);
    }
    ReportTable examples{name + ": captions before and after", c.relative(file), {"image", "figure", "en", "en_intervened", "ar", "ar_intervened"}, {}};
    for (const nlohmann::json& caption : document.value("captions", nlohmann::json::array())) {
      if (examples.rows.size() >= 8) break;
      if (caption.value("en", "") == caption.value("en_intervened", "") && caption.value("ar", "") == caption.value("ar_intervened", "")) continue;
      std::vector<std::string> row;
      for (const std::string& column : examples.columns) row.push_back(caption.value(column, std::string()));
      row[0] = fs::path(row[0]).filename().string();
      examples.rows.push_back(std::move(row));
    }
    if (!examples.rows.empty()) section.tables.push_back(std::move(examples));
  });
  c.note_run(section, "mitigate", "out", name);
}

bool has_content(const ReportSection& s) {
  return !s.values.empty() || !s.tables.empty() || !s.figures.empty() || !s.images.empty() || !s.problems.empty();
}

}  // namespace

Report build_report(const workspace::Workspace& ws, const OptionLookup& options) {
  Context c{ws, ws.runs(), find_study_figures(ws.root())};
  Report report;
  report.workspace = ws.root().string();
  report.generated = workspace::utc_now();
  const fs::path analyses = ws.analyses_dir();

  report.sections.push_back(model_and_data(c));

  ReportSection captions = new_section("captions", "Caption quality and bias");
  for (const fs::path& folder : folders_with(analyses, "mitigation.json")) caption_measures(c, captions, folder / "mitigation.json");
  captions.notes.push_back("The model's own captions of a `loupe synth` split (the baseline of each `loupe mitigate` run).");

  ReportSection saes = new_section("sae", "Sparse autoencoders");
  for (const fs::path& folder : folders_with(ws.root() / "saes", "cfg.json")) sae_section(c, saes, folder);
  saes.notes.push_back("Caption loss is per answer token, overall and over the English and the Arabic captions; an SAE of image and "
                       "text positions is also spliced in at one token type only (docs/sae.md).");

  ReportSection latents = new_section("latents", "Gender-associated latents and cross-lingual alignment");
  for (const fs::path& folder : folders_with(analyses, "latents.csv")) latents_section(c, latents, folder, report.latent_picks);
  latents.notes.push_back("Cohen's d is female minus male (docs/feature-analysis.md); q is the Benjamini-Hochberg q-value.");

  ReportSection layers = new_section("layers", "Layer by layer");
  std::vector<fs::path> layer_folders;
  for (const char* file : {"summary.csv", "probe.csv", "rank.csv", "lens.csv"})
    for (const fs::path& folder : folders_with(analyses, file))
      if (std::find(layer_folders.begin(), layer_folders.end(), folder) == layer_folders.end()) layer_folders.push_back(folder);
  std::sort(layer_folders.begin(), layer_folders.end());
  for (const fs::path& folder : layer_folders) layers_section(c, layers, folder);

  ReportSection maps = new_section("maps", "Maps");
  std::vector<fs::path> map_folders;
  for (const StudyFigure& figure : c.figures)
    if (figure.section == "maps" && std::find(map_folders.begin(), map_folders.end(), figure.source.parent_path()) == map_folders.end())
      map_folders.push_back(figure.source.parent_path());
  for (const fs::path& folder : map_folders) {
    c.add_figures(maps, "maps", folder);
    c.note_run(maps, "analyze embed", "out", folder.filename().string());
  }

  ReportSection patching = new_section("patching", "Activation patching");
  for (const fs::path& folder : folders_with(analyses, "patch.csv")) patching_section(c, patching, folder);

  ReportSection steering = new_section("steering", "Steering: dose-response");
  for (const fs::path& folder : folders_with(analyses, "dose_response.csv")) {
    table_and_figures(c, steering, folder, "dose_response.csv", folder.filename().string() + ": dose-response", "steer");
    c.add_figures(steering, "steering", folder);
  }

  ReportSection mitigation = new_section("mitigation", "Mitigation");
  for (const fs::path& folder : folders_with(analyses, "mitigation.json")) mitigation_section(c, mitigation, folder / "mitigation.json");

  const std::vector<std::pair<ReportSection*, std::string>> optional_sections{
      {&captions, "caption quality and bias: loupe mitigate --workspace W --split counter --set SET.json"},
      {&saes, "sparse autoencoders: loupe train-sae --workspace W --hook HOOK --out NAME, then loupe eval-sae --workspace W --sae NAME"},
      {&latents, "feature analysis: loupe analyze features --workspace W --sae NAME"},
      {&layers, "layer analyses: loupe analyze probe|rank|summary|lens --workspace W"},
      {&maps, "maps: loupe analyze embed --workspace W --hooks HOOK --method tsne"},
      {&patching, "patching: loupe patch-sweep --workspace W --clean IMG --corrupt IMG"},
      {&steering, "steering dose-response: loupe steer --workspace W --split balanced --set SET.json --sweep alpha=-4:4:1"},
      {&mitigation, "mitigation: loupe mitigate --workspace W --split counter --set SET.json"}};
  for (const auto& [section, how] : optional_sections) {
    if (has_content(*section)) report.sections.push_back(std::move(*section));
    else report.missing.push_back(how);
  }

  ReportSection runs = provenance(c);
  if (has_content(runs)) report.sections.push_back(std::move(runs));

  for (const workspace::RunRecord& run : c.runs)
    if (run.outcome == "ok") report.commands.push_back(rerun_command(run, "\"$W\"", options));
  return report;
}

std::string rerun_script(const Report& report) {
  std::string script = "#!/usr/bin/env bash\n# Re-runs the study of " + report.workspace +
                       " (loupe report, " + report.generated + ") into the workspace $W.\nset -euo pipefail\nW=${W:-" +
                       shell_quote(report.workspace + "-rerun") + "}\n";
  for (const std::string& command : report.commands) script += command + "\n";
  return script;
}

}  // namespace loupe::report
