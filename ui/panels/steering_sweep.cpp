// The Steering panel's dose-response sweep: the sliders, each taking every alpha of a range in
// turn, over a dataset split's rows in both languages (`loupe steer --split`, run as a job), and
// the dose-response curves (flip rate, scene and activity kept; log-likelihood) of that sweep, or of
// any the workspace holds, side by side, English and Arabic as lines of each.
#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "ui/panels/panels.h"

namespace loupe::ui {

namespace {

// The workspace's dose-response analyses: the names of its figures NAME/dose.
std::vector<std::string> dose_analyses(const WorkspaceResults& results) {
  std::vector<std::string> names;
  for (const FigureResult& figure : results.figures) {
    const std::string& id = figure.figure.id;
    if (figure.figure.section == "steering" && id.size() > 5 && id.compare(id.size() - 5, 5, "/dose") == 0)
      names.push_back(id.substr(0, id.size() - 5));
  }
  return names;
}

const FigureResult* figure_by_id(const WorkspaceResults& results, const std::string& id) {
  for (const FigureResult& figure : results.figures)
    if (figure.figure.id == id) return &figure;
  return nullptr;
}

void dose_sweep_form(AppState& state) {
  DoseSweepView& view = state.dose;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
  ImGui::InputFloat3("alpha from, to, step", &view.from, "%.2f");
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
  ImGui::InputText("split", view.split, sizeof view.split);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
  if (ImGui::InputInt("rows", &view.limit)) view.limit = std::max(view.limit, 1);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
  ImGui::InputText("name##sweep", view.name, sizeof view.name);
  ImGui::SameLine();
  job_button(state, view.job, "Sweep", [&] {
    study::DoseResponseRun run;
    char sweep[96];
    std::snprintf(sweep, sizeof sweep, "alpha=%g:%g:%g", view.from, view.to, view.step);
    run.sweep = sweep;
    run.split = view.split;
    run.limit = view.limit;
    run.name = view.name;
    start_dose_response(state, run);
    view.shown = run.name;
  });
}

void sweep_figures(AppState& state) {
  DoseSweepView& view = state.dose;
  const std::vector<std::string> names = dose_analyses(*state.results);
  if (names.empty()) {
    ImGui::TextDisabled("no dose-response in this workspace yet (Sweep, or `loupe steer --split`)");
    return;
  }
  // The sweep asked for once the results hold it (a new one arrives when they are read back).
  const bool held = std::find(names.begin(), names.end(), view.shown) != names.end();
  const std::string shown = held ? view.shown : names.front();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
  if (ImGui::BeginCombo("dose-response", shown.c_str())) {
    for (const std::string& name : names)
      if (ImGui::Selectable(name.c_str(), name == shown)) view.shown = name;
    ImGui::EndCombo();
  }
  const FigureResult* dose = figure_by_id(*state.results, shown + "/dose");
  const FigureResult* likelihood = figure_by_id(*state.results, shown + "/likelihood");
  if (view.plotted != shown) {
    view.dose.set(shown + "-dose", dose ? dose->plot : nullptr, dose ? dose->csv : "");
    view.likelihood.set(shown + "-likelihood", likelihood ? likelihood->plot : nullptr, likelihood ? likelihood->csv : "");
    view.plotted = shown;
  }
  const float width = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) / 2;
  const ImVec2 size(width, ImGui::GetFontSize() * 15);
  draw_plot(state, view.dose, "dose", size);
  ImGui::SameLine();
  draw_plot(state, view.likelihood, "likelihood", size);
}

}  // namespace

void draw_dose_sweep(AppState& state) {
  if (!ImGui::CollapsingHeader("Dose-response sweep", ImGuiTreeNodeFlags_DefaultOpen)) return;
  if (state.workspace.empty()) {
    ImGui::TextDisabled("open a workspace: the sweep runs over its dataset's split and is written to its analyses");
    return;
  }
  ImGui::TextDisabled("every slider takes each alpha in turn, on the split's first rows, in English and Arabic");
  dose_sweep_form(state);
  if (state.results) sweep_figures(state);
}

}  // namespace loupe::ui
