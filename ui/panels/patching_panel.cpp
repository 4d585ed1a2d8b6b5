// Patching: pick a clean and a corrupted image (the dataset's woman / man pairs of one scene and
// activity are suggested), run `loupe patch-sweep` as a job, and see where the figure's gender
// enters: the layers × positions heatmap of the share restored, and one layer's image positions
// drawn over the clean image. Clicking a cell runs that cell's patched captions in English and
// Arabic (study::patched_continuations) as a job. Sweeps written by the CLI show here too.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>

#include "core/error.h"
#include "core/study/patch_types.h"
#include "ui/app/widgets.h"
#include "ui/panels/panels.h"
#include "ui/render/textures.h"

namespace loupe::ui {

namespace {

namespace fs = std::filesystem;

void copy_path(char* field, size_t size, const std::string& path) {
  std::snprintf(field, size, "%s", path.c_str());
}

void patch_sweep_form(AppState& state) {
  PatchingView& view = state.patching;
  const auto& pairs = state.results->pairs;
  const auto pair_name = [&](int i) {
    const PatchPair& p = pairs[size_t(i)];
    return p.scene + " · " + p.activity + ": " + fs::path(p.woman_image).filename().string() + " / " +
           fs::path(p.man_image).filename().string();
  };
  ImGui::TextUnformatted("New sweep: the clean image (a woman) against the corrupted one (a man), every position");
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 30);
  if (pairs.empty()) {
    ImGui::TextDisabled("the dataset suggests no pairs (it has no gender, scene and activity columns): type two paths");
  } else if (ImGui::BeginCombo("suggested pair", view.pair >= 0 && view.pair < int(pairs.size()) ? pair_name(view.pair).c_str() : "pick one")) {
    for (int i = 0; i < int(pairs.size()); ++i)
      if (ImGui::Selectable(pair_name(i).c_str(), i == view.pair)) {
        view.pair = i;
        copy_path(view.clean, sizeof view.clean, pairs[size_t(i)].woman_image);
        copy_path(view.corrupt, sizeof view.corrupt, pairs[size_t(i)].man_image);
      }
    ImGui::EndCombo();
  }
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 22);
  ImGui::InputText("clean", view.clean, sizeof view.clean);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 22);
  ImGui::InputText("corrupted", view.corrupt, sizeof view.corrupt);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
  ImGui::Combo("language", &view.lang, "en\0ar\0");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
  ImGui::InputText("name", view.name, sizeof view.name);
  ImGui::SameLine();
  job_button(state, view.sweep_job, "Sweep", [&] {
    study::GenderPatchRequest request;
    request.clean_image = view.clean;
    request.corrupt_image = view.corrupt;
    request.lang = view.lang == 0 ? Language::English : Language::Arabic;
    start_patch_sweep(state, request, view.name);
  });
}

// Red where the patch restores the clean (female) effect, blue where it pushes the other way.
ImU32 share_colour(double share) {
  if (!std::isfinite(share)) return IM_COL32(128, 128, 128, 60);
  const double strength = std::min(std::abs(share), 1.0);
  const int alpha = int(40 + 180 * strength);
  return share >= 0 ? IM_COL32(214, 39, 40, alpha) : IM_COL32(31, 119, 180, alpha);
}

// One layer's image cells over the clean image, the corrupted image beside it.
void image_overlay(AppState& state, const PatchResult& patch) {
  PatchingView& view = state.patching;
  const float side = ImGui::GetFontSize() * 13;
  int layer = int(view.image_layer);
  ImGui::SetNextItemWidth(side);
  if (ImGui::SliderInt("layer", &layer, 0, int(std::max<int64_t>(patch.layers - 1, 0)))) view.image_layer = layer;
  const Texture* clean = state.textures->get(patch.clean_image);
  if (!clean || patch.grid_side == 0) {
    ImGui::TextDisabled(patch.clean_image.empty() ? "(its images are not logged)" : "(loading the image)");
    return;
  }
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float height = side * float(clean->height) / float(std::max(clean->width, 1));
  ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(clean->id)), ImVec2(side, height));
  ImDrawList& list = *ImGui::GetWindowDrawList();
  const float cw = side / float(patch.grid_side), ch = height / float(patch.grid_side);
  for (const PatchCellInfo& cell : patch.cells) {
    if (cell.layer != view.image_layer || cell.grid_row < 0) continue;
    const ImVec2 a(origin.x + float(cell.grid_col) * cw, origin.y + float(cell.grid_row) * ch);
    list.AddRectFilled(a, ImVec2(a.x + cw, a.y + ch), share_colour(cell.restored));
    if (view.cell && view.cell->layer == cell.layer && view.cell->position == cell.position)
      list.AddRect(a, ImVec2(a.x + cw, a.y + ch), IM_COL32(0, 0, 0, 255), 0, 0, 2);
  }
  ImGui::TextDisabled("clean: %s", fs::path(patch.clean_image).filename().string().c_str());
  if (const Texture* corrupt = state.textures->get(patch.corrupt_image)) {
    const float small = side / 2;
    ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(corrupt->id)),
                 ImVec2(small, small * float(corrupt->height) / float(std::max(corrupt->width, 1))));
    ImGui::TextDisabled("corrupted: %s", fs::path(patch.corrupt_image).filename().string().c_str());
  }
}

void cell_captions(AppState& state) {
  PatchingView& view = state.patching;
  if (!view.cell) {
    ImGui::TextDisabled("click a cell of the heatmap: the corrupted run with that cell restored, captioned in both languages");
    return;
  }
  ImGui::Text("Layer %lld, position %lld restored from the clean run", static_cast<long long>(view.cell->layer),
              static_cast<long long>(view.cell->position));
  const auto job = state.jobs.snapshot(view.captions_job);
  if (!job) return;
  if (!job->finished()) {
    ImGui::TextDisabled("captioning …");
    return;
  }
  if (job->state != jobs::JobState::Succeeded || !job->result.holds<std::vector<study::PatchedContinuation>>()) {
    ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", job->error_message.c_str());
    return;
  }
  for (const study::PatchedContinuation& c : job->result.as<std::vector<study::PatchedContinuation>>()) {
    const bool arabic = c.lang == Language::Arabic;
    ImGui::Separator();
    ImGui::TextDisabled("%s", arabic ? "Arabic" : "English");
    if (!c.unavailable.empty()) {
      ImGui::TextDisabled("%s", c.unavailable.c_str());
      continue;
    }
    const struct { const char* label; const std::string& text; } lines[] = {
        {"clean", c.clean}, {"corrupted", c.corrupt}, {"patched", c.patched}};
    for (const auto& line : lines) {
      ImGui::TextDisabled("%s", line.label);
      ImGui::SameLine(ImGui::GetFontSize() * 6);
      bidi_text(state.shaper, line.text, false);
    }
  }
}

void sweep_view(AppState& state) {
  PatchingView& view = state.patching;
  const auto& patches = state.results->patches;
  if (patches.empty()) {
    ImGui::TextDisabled("no sweep in this workspace yet (Sweep above, or `loupe patch-sweep`)");
    return;
  }
  view.sweep = std::clamp(view.sweep, 0, int(patches.size()) - 1);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
  if (ImGui::BeginCombo("sweep", patches[size_t(view.sweep)].id.c_str())) {
    for (int i = 0; i < int(patches.size()); ++i)
      if (ImGui::Selectable(patches[size_t(i)].id.c_str(), i == view.sweep)) {
        view.sweep = i;
        view.cell.reset();
      }
    ImGui::EndCombo();
  }
  const PatchResult& patch = patches[size_t(view.sweep)];
  const std::string figure_id = patch.id + "/patch";
  if (view.plotted != figure_id) {
    const auto figure = std::find_if(state.results->figures.begin(), state.results->figures.end(),
                                     [&](const FigureResult& f) { return f.figure.id == figure_id; });
    if (figure == state.results->figures.end() || !figure->plot) {
      ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s",
                         figure == state.results->figures.end() ? "no figure for this sweep" : figure->error.c_str());
      return;
    }
    view.plot.set(patch.id + "-patch", figure->plot, figure->csv);
    view.plotted = figure_id;
  }
  const float right = ImGui::GetFontSize() * 16;
  const float width = ImGui::GetContentRegionAvail().x - right - ImGui::GetStyle().ItemSpacing.x;
  ImGui::BeginGroup();
  const PlotWidget::Hover hover = draw_plot(state, view.plot, "patch heatmap", ImVec2(width, ImGui::GetFontSize() * 18));
  ImGui::EndGroup();
  const report::Plot* plot = view.plot.plot();
  if (hover.row >= 0 && plot && plot->heatmap) {
    const int64_t layer = std::stoll(plot->heatmap->row_labels[size_t(hover.row)]);
    const int64_t position = std::stoll(plot->heatmap->col_labels[size_t(hover.col)]);
    if (const PatchCellInfo* cell = patch.cell(layer, position)) {
      ImGui::BeginTooltip();
      ImGui::Text("layer %lld, position %lld (%s)", static_cast<long long>(layer), static_cast<long long>(position), cell->type.c_str());
      bidi_text(state.shaper, "token: " + cell->token, false);
      ImGui::Text("restored %.3f", cell->restored);
      ImGui::EndTooltip();
      if (hover.clicked) {
        view.image_layer = layer;
        try {
          start_patch_captions(state, patch, {layer, position});
        } catch (const Error& error) {
          state.status = error.what();
        }
      }
    }
  }
  ImGui::SameLine();
  ImGui::BeginGroup();
  image_overlay(state, patch);
  ImGui::EndGroup();
  cell_captions(state);
}

}  // namespace

void draw_patching_panel(AppState& state, bool* open) {
  if (!ImGui::Begin(panel_title(kPatchingPanel), open)) {
    ImGui::End();
    return;
  }
  if (results_header(state)) {
    patch_sweep_form(state);
    ImGui::Separator();
    sweep_view(state);
  }
  ImGui::End();
}

}  // namespace loupe::ui
