// Steering: sliders that add alpha · direction at a hook on chosen positions. Every change sends
// a new request to the live worker (which cancels the stale one); both captions update while
// dragging, changed words are highlighted against the unsteered caption, and the latency of the
// last update is shown.
#include <imgui.h>

#include <algorithm>

#include "ui/app/widgets.h"
#include "ui/panels/panels.h"

namespace loupe::ui {

namespace {

// The hooks a steer can go to (ModelInfo::steer_hooks, decided by core/study).
bool hook_combo(const AppState& state, const char* label, std::string& hook) {
  bool changed = false;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 14);
  if (ImGui::BeginCombo(label, hook.c_str(), ImGuiComboFlags_HeightLarge)) {
    for (const auto& name : state.model_info.steer_hooks) {
      if (ImGui::Selectable(name.c_str(), name == hook)) {
        hook = name;
        changed = true;
      }
    }
    ImGui::EndCombo();
  }
  return changed;
}

void add_direction_controls(AppState& state) {
  SteeringInputs& in = state.steering_inputs;
  if (ImGui::CollapsingHeader("Add a direction", ImGuiTreeNodeFlags_DefaultOpen)) {
    hook_combo(state, "measured at", in.gender_hook);
    ImGui::SameLine();
    ImGui::Checkbox("label by the model's caption", &in.gender_by_caption);
    if (ImGui::Button("Add the gender direction (woman − man)")) {
      try {
        add_gender_direction(state, in.gender_hook, in.gender_by_caption);
      } catch (const std::exception& error) {
        state.status = error.what();
      }
    }
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("Mean activation over image tokens of woman images minus man images\n"
                        "(the dataset's gender column, or the bundled demo images).");
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 20);
    ImGui::InputText("##file", in.file, sizeof in.file);
    ImGui::SameLine();
    if (ImGui::Button("Add from file") && in.file[0]) add_file_direction(state, in.file, in.gender_hook);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("FILE.safetensors:KEY, a vector [d] for the hook chosen above");
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 20);
    ImGui::InputText("SAE folder", in.sae, sizeof in.sae);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
    ImGui::InputInt("latent", &in.latent);
    ImGui::SameLine();
    if (ImGui::Button("Add SAE latent") && in.sae[0]) {
      state.sae_path = in.sae;
      add_sae_latent_direction(state, in.sae, std::max(in.latent, 0));
    }
  }
}

void slider_rows(AppState& state) {
  int remove = -1;
  for (size_t i = 0; i < state.sliders.size(); ++i) {
    SteerSlider& slider = state.sliders[i];
    ImGui::PushID(int(i));
    const float buttons = ImGui::CalcTextSize(slider.direction->name.c_str()).x + ImGui::GetFontSize() * 6;
    ImGui::SetNextItemWidth(std::max(ImGui::GetContentRegionAvail().x - buttons, 100.0f));
    if (ImGui::SliderFloat(slider.direction->name.c_str(), &slider.alpha, -slider.range, slider.range, "alpha %.2f"))
      state.request_dirty = true;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", slider.direction->description.c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton("0")) {
      slider.alpha = 0;
      state.request_dirty = true;
    }
    ImGui::SameLine();
    if (ImGui::SmallButton("remove")) remove = int(i);
    if (hook_combo(state, "hook", slider.hook)) state.request_dirty = true;
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
    if (ImGui::BeginCombo("positions", positions_word(PositionSelector(slider.positions)).c_str())) {
      for (PositionKind p : {PositionKind::Image, PositionKind::Text, PositionKind::Template, PositionKind::NonImage, PositionKind::All})
        if (ImGui::Selectable(positions_word(PositionSelector(p)).c_str(), p == slider.positions)) {
          slider.positions = p;
          state.request_dirty = true;
        }
      ImGui::EndCombo();
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
    if (ImGui::BeginCombo("mode", study::steer_mode_word(slider.mode))) {
      for (SteerMode m : {SteerMode::Additive, SteerMode::Orthogonal, SteerMode::Cap})
        if (ImGui::Selectable(study::steer_mode_word(m), m == slider.mode)) {
          slider.mode = m;
          state.request_dirty = true;
        }
      ImGui::EndCombo();
    }
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("additive: x + alpha d;  orthogonal: the component along d set to alpha |d|;  cap: the projection on d clamped at alpha");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
    ImGui::InputFloat("range", &slider.range, 0, 0, "%.1f");
    slider.range = std::max(slider.range, 0.1f);
    ImGui::Separator();
    ImGui::PopID();
  }
  if (remove >= 0) {
    state.sliders.erase(state.sliders.begin() + remove);
    state.request_dirty = true;
  }
}

}  // namespace

void draw_steering_panel(AppState& state, bool* open) {
  if (!ImGui::Begin(panel_title(kSteeringPanel), open)) {
    ImGui::End();
    return;
  }
  add_direction_controls(state);
  draw_adapter_switch(state, "steering");
  if (state.sliders.empty()) ImGui::TextDisabled("No slider yet: add a direction above.");
  slider_rows(state);
  const auto& live = state.live;
  if (live) {
    ImGui::Text("last update %.0f ms%s   stale requests dropped: %llu", live->latency_ms,
                live->request_id == state.last_request ? "" : " (updating…)",
                static_cast<unsigned long long>(state.worker.requests_cancelled()));
    if (!live->error.empty()) error_text(live->error);
    if (ImGui::BeginTable("steered", 2, ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchSame)) {
      ImGui::TableNextRow();
      for (int l = 0; l < 2; ++l) {
        ImGui::TableSetColumnIndex(l);
        bidi_paragraph(state.shaper, live->steered[l].text, nullptr);
        token_chips(state.shaper, live->steered[l], ChipStyle{}, l == 0 ? "steer-en" : "steer-ar");
      }
      ImGui::EndTable();
    }
  }
  draw_dose_sweep(state);
  ImGui::End();
}

}  // namespace loupe::ui
