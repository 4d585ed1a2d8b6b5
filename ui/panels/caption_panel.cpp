// Caption: the selected image large, the English and Arabic captions side by side (steered when a
// slider is set, with the unsteered baseline below), and the token chips with their details.
#include <imgui.h>

#include <algorithm>

#include "ui/app/fonts.h"
#include "ui/app/widgets.h"
#include "ui/panels/panels.h"
#include "ui/render/textures.h"

namespace loupe::ui {

namespace {

// What the baseline lacks, in the column's language.
std::string without_label(const LiveResult& live, bool rtl) {
  if (live.steering && live.adapted) return rtl ? "بدون توجيه وبدون LoRA:" : "without steering or the adapter:";
  if (live.adapted) return rtl ? "بدون LoRA:" : "without the adapter:";
  return rtl ? "بدون توجيه:" : "without steering:";
}

void draw_language(AppState& state, const LiveResult& live, int l) {
  const CaptionText& shown = live.steered[l];
  const bool rtl = l == 1;
  if (rtl) {
    bidi_text(state.shaper, "العربية");
  } else {
    ImGui::TextDisabled("English");
  }
  bidi_paragraph(state.shaper, shown.text, state.fonts->caption);
  ImGui::Spacing();
  token_chips(state.shaper, shown, ChipStyle{}, rtl ? "chips-ar" : "chips-en");
  if (live.intervened()) {
    ImGui::Spacing();
    if (rtl) {
      bidi_text(state.shaper, without_label(live, rtl));
    } else {
      ImGui::TextDisabled("%s", without_label(live, rtl).c_str());
    }
    bidi_paragraph(state.shaper, live.baseline[l].text, nullptr, ImGui::GetColorU32(ImGuiCol_TextDisabled));
  }
  const ImageEntry* image = state.selected_image();
  const std::string& reference = rtl ? image->ar_reference : image->en_reference;
  if (!reference.empty()) {
    ImGui::Spacing();
    ImGui::TextDisabled("dataset caption:");
    bidi_paragraph(state.shaper, reference, nullptr, ImGui::GetColorU32(ImGuiCol_TextDisabled));
  }
}

}  // namespace

void draw_adapter_switch(AppState& state, const char* id) {
  ImGui::PushID(id);
  if (state.adapter) {
    if (ImGui::Checkbox(("LoRA adapter " + state.adapter->name).c_str(), &state.use_adapter)) state.request_dirty = true;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", state.adapter->folder.c_str());
  } else {
    ImGui::TextDisabled("no LoRA adapter");
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(260);
  ImGui::InputTextWithHint("##adapter", "adapter folder (loupe finetune)", state.adapter_input, sizeof state.adapter_input);
  ImGui::SameLine();
  if (ImGui::Button("Read") && state.adapter_input[0] != '\0') {
    try {
      load_adapter_async(state, state.adapter_input);
    } catch (const std::exception& error) {
      state.status = error.what();
    }
  }
  ImGui::PopID();
}

void draw_caption_panel(AppState& state, bool* open) {
  if (!ImGui::Begin(panel_title(kCaptionPanel), open)) {
    ImGui::End();
    return;
  }
  const ImageEntry* image = state.selected_image();
  if (!image) {
    ImGui::TextWrapped("Pick an image in the Images panel (or drop image files on the window).");
    ImGui::End();
    return;
  }
  const float side = std::min(ImGui::GetContentRegionAvail().x * 0.32f, ImGui::GetContentRegionAvail().y - 10.0f);
  if (const Texture* texture = state.textures->get(image->path)) {
    const float aspect = float(texture->height) / float(std::max(texture->width, 1));
    ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture->id)), ImVec2(side, side * aspect));
  } else {
    ImGui::Dummy(ImVec2(side, side));
  }
  ImGui::SameLine();
  ImGui::BeginGroup();
  ImGui::TextUnformatted(image->name.c_str());
  const auto& live = state.live;
  const bool current = live && live->image == image->path;
  if (!state.model) {
    ImGui::TextDisabled("loading the model…");
  } else if (!current || live->request_id != state.last_request) {
    ImGui::TextDisabled("captioning…");
  } else {
    ImGui::TextDisabled("captioned in %.0f ms", live->latency_ms);
  }
  draw_adapter_switch(state, "caption");
  if (current && !live->error.empty()) error_text(live->error);
  if (current && ImGui::BeginTable("captions", 2, ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchSame)) {
    ImGui::TableNextRow();
    for (int l = 0; l < 2; ++l) {
      ImGui::TableSetColumnIndex(l);
      draw_language(state, *live, l);
    }
    ImGui::EndTable();
  }
  ImGui::EndGroup();
  ImGui::End();
}

}  // namespace loupe::ui
