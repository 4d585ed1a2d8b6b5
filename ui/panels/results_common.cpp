// What the results panels (Bias, Maps, Feature browser, Feature page, Study, Patching) share.
#include <imgui.h>

#include <algorithm>
#include <string>

#include "core/error.h"
#include "ui/app/fonts.h"
#include "ui/panels/panels.h"

namespace loupe::ui {

bool job_status(AppState& state, jobs::JobId job_id) {
  const auto job = job_id ? state.jobs.snapshot(job_id) : nullptr;
  if (!job) return false;
  ImGui::PushID(int(job_id));
  const bool running = !job->finished();
  if (running) {
    const float fraction = job->total > 0 ? float(job->done) / float(job->total) : 0.0f;
    ImGui::ProgressBar(fraction, ImVec2(ImGui::GetFontSize() * 10, 0));
    ImGui::SameLine();
    if (ImGui::SmallButton("Cancel")) state.jobs.cancel(job_id);
  } else if (job->state == jobs::JobState::Failed || job->state == jobs::JobState::Cancelled) {
    ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", job->error_message.c_str());
  }
  ImGui::PopID();
  return running;
}

void job_button(AppState& state, jobs::JobId job_id, const char* label, const std::function<void()>& start) {
  const auto job = job_id ? state.jobs.snapshot(job_id) : nullptr;
  if (!job || job->finished()) {
    if (ImGui::Button(label)) {
      try {
        start();
      } catch (const Error& error) {
        state.status = error.what();
      }
    }
  }
  job_status(state, job_id);
}

bool results_header(AppState& state) {
  if (state.workspace.empty()) {
    ImGui::TextWrapped("Open a workspace (File > Open workspace) to see its analyses: this panel draws the tables that "
                       "`loupe analyze`, `loupe steer`, `loupe mitigate` and `loupe patch-sweep` write.");
    return false;
  }
  const auto job = state.results_job ? state.jobs.snapshot(state.results_job) : nullptr;
  const bool reading = job && !job->finished();
  if (reading) ImGui::BeginDisabled();
  if (ImGui::SmallButton("Refresh")) load_results(state);
  if (reading) ImGui::EndDisabled();
  ImGui::SameLine();
  if (reading) {
    ImGui::TextDisabled("reading %s ...", job->stage.c_str());
  } else if (job && job->state == jobs::JobState::Failed) {
    ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "could not read the results: %s", job->error_message.c_str());
  } else if (state.results) {
    ImGui::TextDisabled("%zu figures, %zu maps, %zu feature analyses", state.results->figures.size(),
                        state.results->maps.size(), state.results->latents.size());
    if (!state.results->problems.empty()) {
      ImGui::SameLine();
      ImGui::TextColored(ImVec4(1, 0.7f, 0.3f, 1), "%zu files not read", state.results->problems.size());
      if (ImGui::IsItemHovered()) {
        ImGui::BeginTooltip();
        for (const std::string& problem : state.results->problems) ImGui::TextUnformatted(problem.c_str());
        ImGui::EndTooltip();
      }
    }
  }
  return state.results != nullptr;
}

FigureFonts figure_fonts(const AppState& state) { return {state.fonts->body, state.fonts->caption}; }

std::string figures_folder(const AppState& state) { return state.workspace.empty() ? "figures" : state.workspace + "/figures"; }

PlotWidget::Hover draw_plot(AppState& state, PlotWidget& plot, const char* id, ImVec2 size, bool box_select) {
  plot.set_export_folder(figures_folder(state));
  const PlotWidget::Hover hover = plot.draw(id, size, figure_fonts(state), state.shaper, box_select);
  if (auto path = plot.take_export_path()) export_plot(state, plot.shown(), *path);
  return hover;
}

void draw_csv_table(ShapeCache& shaper, const io::CsvTable& table, const char* id, ImVec2 size) {
  const int columns = int(std::min<size_t>(table.header.size(), 64));  // ImGui's column limit is far above any result table
  if (columns == 0) return;
  const ImGuiTableFlags flags = ImGuiTableFlags_ScrollX | ImGuiTableFlags_ScrollY | ImGuiTableFlags_Borders |
                                ImGuiTableFlags_RowBg | ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable(id, columns, flags, size)) return;
  ImGui::TableSetupScrollFreeze(1, 1);
  for (int c = 0; c < columns; ++c) ImGui::TableSetupColumn(table.header[size_t(c)].c_str());
  ImGui::TableHeadersRow();
  ImGuiListClipper clipper;
  clipper.Begin(int(table.rows.size()));
  while (clipper.Step())
    for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
      ImGui::TableNextRow();
      for (int c = 0; c < columns; ++c) {
        ImGui::TableSetColumnIndex(c);
        ImGui::TextUnformatted(shaper.line(table.at(table.rows[size_t(r)], size_t(c))).c_str());  // Arabic shaped
      }
    }
  ImGui::EndTable();
}

}  // namespace loupe::ui
