// Study: train an SAE on the workspace's store (kind, expansion, k or L1, tokens) as `loupe
// train-sae` does, watch its loss, explained variance, L0 and dead latents while it trains, cancel
// it, and resume an interrupted one; the workspace's runs.jsonl below lists every run, finished,
// failed or interrupted, so a restarted app shows them too; the layer analyses (probe, rank, the
// per-layer summary) as `loupe analyze` runs them. Extraction is started from the Jobs panel; SAE
// evaluation, the feature analysis and the logit lens from the CLI (docs/gui.md).
#include <imgui.h>

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "ui/panels/panels.h"

namespace loupe::ui {

namespace {

std::shared_ptr<const report::Plot> curve_plot(const char* title, const char* y_label, const std::vector<double>& tokens,
                                               std::vector<std::pair<const char*, const std::vector<double>*>> lines) {
  auto plot = std::make_shared<report::Plot>();
  plot->title = title;
  plot->x.label = "tokens";
  plot->y.label = y_label;
  for (const auto& [name, values] : lines) plot->series.push_back(report::make_series(name, report::SeriesKind::Line, tokens, *values));
  plot->legend = plot->series.size() > 1;
  return plot;
}

void training_form(AppState& state) {
  StudyView& view = state.study;
  SaeTrainingInputs& in = view.inputs;
  ImGui::TextUnformatted("Train an SAE on this workspace's store");
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 14);
  ImGui::InputText("hook", view.hook, sizeof view.hook);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  ImGui::InputText("store", view.store, sizeof view.store);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  ImGui::InputText("name", view.name, sizeof view.name);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
  ImGui::Combo("kind", &view.kind, "topk\0relu\0");
  ImGui::SameLine();
  int expansion = int(in.expansion), k = int(in.k), tokens = int(in.tokens), batch = int(in.batch);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
  if (ImGui::InputInt("expansion", &expansion)) in.expansion = std::max(1, expansion);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
  if (view.kind == 0) {
    if (ImGui::InputInt("k", &k)) in.k = std::max(1, k);
  } else {
    float l1 = float(in.l1);
    if (ImGui::InputFloat("L1", &l1)) in.l1 = std::max(0.0f, l1);
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
  if (ImGui::InputInt("tokens", &tokens, 10000)) in.tokens = std::max(1, tokens);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
  if (ImGui::InputInt("batch", &batch, 64)) in.batch = std::max(1, batch);
  if (ImGui::Button("Train")) {
    SaeTrainingInputs inputs = in;
    inputs.hook = view.hook;
    inputs.store = view.store;
    inputs.name = view.name;
    inputs.kind = view.kind == 0 ? "topk" : "relu";
    inputs.resume = false;
    start_sae_training(state, inputs);
  }
}

// Probe, rank and the per-layer summary of this workspace, as `loupe analyze` runs them.
void analyses_form(AppState& state) {
  StudyView& view = state.study;
  ImGui::Separator();
  ImGui::TextUnformatted("Analyses: probe, rank and summary read the store; lens captions the split's rows (first ROWS); "
                         "features reads the SAE's latents; eval-sae splices it into the model (first ROWS, 64 by default)");
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 18);
  ImGui::InputTextWithHint("hooks##analyses", "every hook of the store", view.analysis_hooks, sizeof view.analysis_hooks);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  ImGui::InputTextWithHint("split##analyses", "all", view.analysis_split, sizeof view.analysis_split);
  ImGui::SameLine();
  int limit = int(view.analysis.limit);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
  if (ImGui::InputInt("rows##analyses", &limit, 0)) view.analysis.limit = std::max(0, limit);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  ImGui::InputText("name##analyses", view.analysis_name, sizeof view.analysis_name);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  ImGui::InputTextWithHint("SAE##analyses", "features, eval-sae", view.analysis_sae, sizeof view.analysis_sae);
  for (const char* analysis : {"probe", "rank", "summary", "lens", "features", "eval-sae"}) {
    ImGui::SameLine();
    const bool running = [&] {
      const auto job = view.analysis_job ? state.jobs.snapshot(view.analysis_job) : nullptr;
      return job && !job->finished();
    }();
    if (running) ImGui::BeginDisabled();
    const bool clicked = ImGui::Button(analysis);
    if (running) ImGui::EndDisabled();
    if (!clicked) continue;
    AnalysisInputs inputs = view.analysis;
    inputs.analysis = analysis;
    inputs.store = view.store;
    inputs.hooks = view.analysis_hooks;
    inputs.split = view.analysis_split;
    inputs.name = view.analysis_name;
    inputs.sae = view.analysis_sae;
    try {
      start_analysis(state, inputs);
    } catch (const Error& error) {
      state.status = error.what();
    }
  }
  job_status(state, view.analysis_job);
}

void curves(AppState& state) {
  for (TrainingCurve& curve : state.study.curves) {
    const auto job = state.jobs.snapshot(curve.job);
    if (!job) continue;
    ImGui::PushID(int(curve.job));
    ImGui::Separator();
    ImGui::Text("%s: %s", job->name.c_str(), jobs::state_name(job->state));
    if (!job->finished()) {
      ImGui::SameLine();
      if (ImGui::SmallButton("Cancel")) state.jobs.cancel(curve.job);
      const float fraction = job->total > 0 ? float(job->done) / float(job->total) : 0.0f;
      ImGui::ProgressBar(fraction, ImVec2(ImGui::GetFontSize() * 20, 0));
    } else if (job->state == jobs::JobState::Failed || job->state == jobs::JobState::Cancelled) {
      ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", job->error_message.c_str());
    }
    if (curve.tokens.size() >= 2) {
      if (curve.plotted_points != curve.tokens.size()) {
        curve.quality.set(curve.name + "-quality",
                          curve_plot("Explained variance and dead latents", "share", curve.tokens,
                                     {{"explained variance", &curve.explained_variance}, {"dead latents", &curve.dead_fraction}}),
                          "");
        curve.error.set(curve.name + "-mse", curve_plot("Reconstruction error", "MSE", curve.tokens, {{"MSE", &curve.mse}}), "");
        curve.active.set(curve.name + "-l0", curve_plot("Active latents per vector", "L0", curve.tokens, {{"L0", &curve.l0}}), "");
        curve.plotted_points = curve.tokens.size();
      }
      const float width = (ImGui::GetContentRegionAvail().x - 2 * ImGui::GetStyle().ItemSpacing.x) / 3;
      const ImVec2 size(width, ImGui::GetFontSize() * 14);
      draw_plot(state, curve.quality, "quality", size);
      ImGui::SameLine();
      draw_plot(state, curve.error, "error", size);
      ImGui::SameLine();
      draw_plot(state, curve.active, "l0", size);
    } else if (!job->finished()) {
      ImGui::TextDisabled("curves appear after the first logged steps");
    }
    ImGui::PopID();
  }
}

// The interrupted run's own settings, as runs.jsonl recorded them, with --resume.
SaeTrainingInputs resumed_training(const RunEntry& run) {
  SaeTrainingInputs inputs;
  const nlohmann::json& p = run.parameters;
  inputs.name = run.out;
  inputs.store = p.value("store", inputs.store);
  inputs.hook = p.value("hook", inputs.hook);
  inputs.kind = p.value("kind", inputs.kind);
  inputs.expansion = p.value("expansion", inputs.expansion);
  inputs.k = p.value("k", inputs.k);
  inputs.l1 = p.value("l1", inputs.l1);
  inputs.tokens = p.value("tokens", inputs.tokens);
  inputs.batch = p.value("batch", inputs.batch);
  inputs.resume = true;
  return inputs;
}

void runs(AppState& state) {
  if (!state.results) return;
  ImGui::Separator();
  ImGui::Text("Runs of this workspace (runs.jsonl): %zu", state.results->runs.size());
  const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("runs", 5, flags, ImVec2(0, ImGui::GetFontSize() * 12))) return;
  for (const char* column : {"started", "command", "out", "outcome", "message"}) ImGui::TableSetupColumn(column);
  ImGui::TableHeadersRow();
  const auto& all = state.results->runs;
  for (auto run = all.rbegin(); run != all.rend(); ++run) {  // newest first
    ImGui::TableNextRow();
    ImGui::PushID(int(all.rend() - run));
    ImGui::TableSetColumnIndex(0);
    ImGui::TextUnformatted(run->started.c_str());
    ImGui::TableSetColumnIndex(1);
    ImGui::TextUnformatted(run->command.c_str());
    ImGui::TableSetColumnIndex(2);
    ImGui::TextUnformatted(run->out.c_str());
    ImGui::TableSetColumnIndex(3);
    ImGui::TextColored(run->outcome == "ok" ? ImVec4(0.5f, 0.9f, 0.5f, 1) : ImVec4(1, 0.55f, 0.4f, 1), "%s", run->outcome.c_str());
    if (run->resumable) {
      ImGui::SameLine();
      if (ImGui::SmallButton("Resume")) {
        start_sae_training(state, resumed_training(*run));
      }
    }
    ImGui::TableSetColumnIndex(4);
    ImGui::TextUnformatted(run->message.c_str());
    ImGui::PopID();
  }
  ImGui::EndTable();
}

}  // namespace

void draw_study_panel(AppState& state, bool* open) {
  if (!ImGui::Begin(panel_title(kStudyPanel), open)) {
    ImGui::End();
    return;
  }
  if (results_header(state)) {
    training_form(state);
    curves(state);
    analyses_form(state);
    runs(state);
  }
  ImGui::End();
}

}  // namespace loupe::ui
