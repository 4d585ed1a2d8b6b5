// Bias: every figure of the workspace's study (probe accuracy, effective rank, logit lens and direct
// logit attribution per layer, the top female and male latents per language, SAE training curves,
// dose-response, patching, maps), drawn as the report draws them, and the per-layer summary and
// mitigation before/after tables.
#include <imgui.h>

#include <algorithm>

#include "core/report/study_figures.h"
#include "core/error.h"
#include "ui/panels/panels.h"

namespace loupe::ui {

namespace {

const char* section_title(const std::string& section) {
  if (section == "layers") return "Layers";
  if (section == "latents") return "Latents";
  if (section == "sae") return "SAE training";
  if (section == "steering") return "Steering";
  if (section == "patching") return "Patching";
  if (section == "maps") return "Maps";
  return section.c_str();
}

const FigureResult* find_figure(const WorkspaceResults& results, const std::string& id) {
  for (const FigureResult& figure : results.figures)
    if (figure.figure.id == id) return &figure;
  return nullptr;
}

// The probe curve when there is one, else the first figure that could be drawn.
std::string default_figure(const WorkspaceResults& results) {
  for (const FigureResult& figure : results.figures)
    if (figure.plot && figure.figure.id.size() > 6 && figure.figure.id.compare(figure.figure.id.size() - 6, 6, "/probe") == 0)
      return figure.figure.id;
  for (const FigureResult& figure : results.figures)
    if (figure.plot) return figure.figure.id;
  return "";
}

void figure_item(BiasView& view, const FigureResult& figure) {
  if (!figure.plot) ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 0.5f, 0.4f, 1));
  if (ImGui::Selectable(figure.figure.id.c_str(), !view.show_table && view.figure == figure.figure.id)) {
    view.figure = figure.figure.id;
    view.show_table = false;
  }
  if (!figure.plot) ImGui::PopStyleColor();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", figure.plot ? figure.figure.spec.title.c_str() : figure.error.c_str());
}

void figure_list(BiasView& view, const WorkspaceResults& results) {
  std::vector<std::string> sections;  // in order of first appearance, each listed once
  for (const FigureResult& figure : results.figures)
    if (std::find(sections.begin(), sections.end(), figure.figure.section) == sections.end()) sections.push_back(figure.figure.section);
  for (const std::string& section : sections) {
    ImGui::TextDisabled("%s", section_title(section));
    for (const FigureResult& figure : results.figures)
      if (figure.figure.section == section) figure_item(view, figure);
  }
  if (!results.tables.empty()) ImGui::TextDisabled("Tables");
  for (size_t t = 0; t < results.tables.size(); ++t)
    if (ImGui::Selectable(results.tables[t].id.c_str(), view.show_table && view.table == int(t))) {
      view.table = int(t);
      view.show_table = true;
    }
}

}  // namespace

void draw_bias_panel(AppState& state, bool* open) {
  if (!ImGui::Begin(panel_title(kBiasPanel), open)) {
    ImGui::End();
    return;
  }
  if (results_header(state)) {
    const WorkspaceResults& results = *state.results;
    BiasView& view = state.bias;
    if (view.figure.empty() || !find_figure(results, view.figure)) view.figure = default_figure(results);
    ImGui::BeginChild("figures", ImVec2(ImGui::GetFontSize() * 15, 0), true);
    figure_list(view, results);
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("shown", ImVec2(0, 0));
    if (view.show_table && view.table < int(results.tables.size())) {
      const TableResult& table = results.tables[size_t(view.table)];
      ImGui::TextUnformatted(table.id.c_str());
      ImGui::SameLine();
      if (ImGui::SmallButton("Copy as CSV")) ImGui::SetClipboardText(table.csv.c_str());
      ImGui::SameLine();
      if (ImGui::SmallButton("Save as CSV")) {  // W/figures/ID.csv, as a figure's CSV goes
        const ShownPlot shown = shown_plot(state, kBiasPanel);
        try {
          export_plot(state, shown, figures_folder(state) + "/" + shown.id + ".csv");
        } catch (const Error& error) {
          state.status = error.what();
        }
      }
      draw_csv_table(state.shaper, table.table, table.id.c_str(), ImVec2(0, 0));  // one ID per table: its own column widths
    } else if (const FigureResult* figure = find_figure(results, view.figure)) {
      const std::string name = report::study_figure_file_name(figure->figure.id);
      if (view.plot.id() != name || view.plot.empty()) view.plot.set(name, figure->plot, figure->csv);
      if (figure->plot) {
        draw_plot(state, view.plot, "bias figure", ImVec2(0, 0));
      } else {
        ImGui::TextWrapped("%s", figure->error.c_str());
      }
    } else {
      ImGui::TextWrapped("This workspace has no analysis yet: run loupe analyze probe, rank, lens or features (docs/layer-analyses.md).");
    }
    ImGui::EndChild();
  }
  ImGui::End();
}

}  // namespace loupe::ui
