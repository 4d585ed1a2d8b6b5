// Jobs: every background job (model loading, directions, and whatever else is submitted to the
// JobRunner) with its progress bar, rate, ETA, cancel button and log; failures with their message.
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "ui/app/widgets.h"
#include "ui/panels/panels.h"

namespace loupe::ui {

namespace {

ImVec4 state_colour(jobs::JobState state) {
  switch (state) {
    case jobs::JobState::Succeeded: return ImVec4(0.45f, 0.85f, 0.45f, 1);
    case jobs::JobState::Failed: return ImVec4(1.0f, 0.4f, 0.4f, 1);
    case jobs::JobState::Cancelled: return ImVec4(0.8f, 0.8f, 0.4f, 1);
    default: return ImVec4(0.7f, 0.8f, 1.0f, 1);
  }
}

void draw_job(AppState& state, const jobs::JobSnapshot& job) {
  ImGui::PushID(static_cast<int>(job.id));
  ImGui::TextColored(state_colour(job.state), "%-9s", jobs::state_name(job.state));
  ImGui::SameLine();
  ImGui::TextUnformatted(job.name.c_str());
  if (!job.finished()) {
    ImGui::SameLine();
    if (ImGui::SmallButton(job.cancel_requested ? "cancelling…" : "cancel") && !job.cancel_requested) state.jobs.cancel(job.id);
  }
  const float fraction = job.total > 0 ? float(job.done) / float(job.total) : (job.finished() ? 1.0f : 0.0f);
  char overlay[128];
  std::snprintf(overlay, sizeof overlay, "%lld / %lld", static_cast<long long>(job.done), static_cast<long long>(job.total));
  ImGui::ProgressBar(fraction, ImVec2(-1, 0), job.total > 0 ? overlay : job.stage.c_str());
  ImGui::TextDisabled("%.1f/s   ETA %s   %.1f s%s%s", job.rate,
                      job.eta_seconds ? (std::to_string(int(*job.eta_seconds)) + " s").c_str() : "–", job.elapsed_seconds,
                      job.stage.empty() ? "" : "   ", job.stage.c_str());
  for (const auto& [key, value] : job.metrics) {
    ImGui::SameLine();
    ImGui::TextDisabled("%s %.4g", key.c_str(), value);
  }
  if (!job.error_message.empty()) error_text(job.error_kind + ": " + job.error_message);
  if (!job.recent_log.empty() && ImGui::TreeNode("log", "log (%llu lines)", static_cast<unsigned long long>(job.log_lines_total))) {
    for (const auto& line : job.recent_log) ImGui::TextWrapped("%s", line.c_str());
    ImGui::TreePop();
  }
  ImGui::Separator();
  ImGui::PopID();
}

void extraction_form(AppState& state) {
  ExtractionInputs& in = state.extraction_inputs;
  if (!ImGui::CollapsingHeader("Extract activations")) return;
  if (!in.out[0]) {
    const std::string out = state.workspace.empty() ? "loupe-store" : state.workspace + "/stores/acts";
    std::snprintf(in.out, sizeof in.out, "%s", out.c_str());
  }
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
  if (ImGui::BeginCombo("hook", in.hook.c_str(), ImGuiComboFlags_HeightLarge)) {
    for (const auto& hook : state.model_info.hooks)
      if (hook.rfind("vision.", 0) != 0 && ImGui::Selectable(hook.c_str(), hook == in.hook)) in.hook = hook;
    ImGui::EndCombo();
  }
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
  ImGui::InputText("store folder", in.out, sizeof in.out);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  ImGui::InputInt("rows (0: all)", &in.limit);
  in.limit = std::max(in.limit, 0);
  const auto choice = [](const char* label, std::string& value, std::initializer_list<const char*> words) {
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
    if (!ImGui::BeginCombo(label, value.c_str())) return;
    for (const char* word : words)
      if (ImGui::Selectable(word, value == word)) value = word;
    ImGui::EndCombo();
  };
  choice("positions", in.positions, {"text", "image", "template", "non-image", "all"});
  choice("languages", in.langs, {"both", "en", "ar"});
  choice("captions", in.source, {"caption", "generate"});
  if (ImGui::Button("Start extraction")) {
    try {
      start_extraction(state, in.hook, in.out, in.limit, in.positions, in.langs, in.source);
    } catch (const std::exception& error) {
      state.status = error.what();
    }
  }
  ImGui::Separator();
}

}  // namespace

void draw_jobs_panel(AppState& state, bool* open) {
  if (!ImGui::Begin(panel_title(kJobsPanel), open)) {
    ImGui::End();
    return;
  }
  extraction_form(state);
  const auto snapshots = state.jobs.snapshots();
  if (snapshots.empty()) ImGui::TextDisabled("No background job yet.");
  for (auto it = snapshots.rbegin(); it != snapshots.rend(); ++it) draw_job(state, **it);  // newest first
  ImGui::End();
}

}  // namespace loupe::ui
