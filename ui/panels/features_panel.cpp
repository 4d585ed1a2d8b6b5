// Feature browser: the latents table of a feature analysis (`loupe analyze features`), every row
// sortable by frequency, activation, Cohen's d and q per language and alignment, searchable by
// latent number or by a token the latent promotes, filtered to language-specific, aligned or
// gendered latents. Rows are clipped to those on screen (16,384 latents draw as fast as 100).
// Clicking a row opens its Feature page.
#include <imgui.h>
#include <imgui_internal.h>  // TableSetColumnSortDirection: ImGui 1.86 has no public call to set a sort

#include <algorithm>
#include <cctype>
#include <cmath>

#include "ui/panels/panels.h"

namespace loupe::ui {

namespace {

constexpr double kGenderedQ = 0.05;  // the "gendered" filter: q below this in English or Arabic
const char* const kShownColumns[] = {"latent", "frequency", "frequency_en", "frequency_ar", "max_activation", "cohens_d_en",
                                     "q_en", "cohens_d_ar", "q_ar", "alignment_r"};

std::string lower(std::string text) {
  for (char& c : text) c = char(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool promotes(const LatentsResult& latents, size_t j, const std::string& needle) {
  if (j >= latents.details.size()) return false;
  const LatentDetails& d = latents.details[j];
  for (const auto* list : {&d.promoted, &d.promoted_arabic, &d.promoted_latin})
    for (const TokenEffect& token : *list)
      if (lower(token.text).find(needle) != std::string::npos) return true;
  return false;
}

bool is_number(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

double value_or_nan(const LatentsResult& latents, size_t j, const char* column) {
  const auto found = std::find(latents.columns.begin(), latents.columns.end(), column);
  return found == latents.columns.end() ? std::nan("") : latents.values[j][size_t(found - latents.columns.begin())];
}

}  // namespace

void refresh_latent_rows(FeaturesView& view, const LatentsResult& latents) {
  view.rows.clear();
  const std::string search = lower(view.search);
  const bool by_number = is_number(search);
  for (size_t j = 0; j < latents.values.size(); ++j) {
    if (by_number && std::to_string(j) != search) continue;
    if (!by_number && !search.empty() && !promotes(latents, j, search)) continue;
    if (view.language_specific && latents.language_specific[j].empty()) continue;
    if (view.aligned && !(value_or_nan(latents, j, "aligned") == 1)) continue;
    if (view.gendered && !(value_or_nan(latents, j, "q_en") < kGenderedQ) && !(value_or_nan(latents, j, "q_ar") < kGenderedQ)) continue;
    view.rows.push_back(int64_t(j));
  }
  const size_t column = size_t(std::clamp(view.sort_column, 0, int(latents.columns.size()) - 1));
  std::stable_sort(view.rows.begin(), view.rows.end(), [&](int64_t a, int64_t b) {
    const double x = latents.values[size_t(a)][column], y = latents.values[size_t(b)][column];
    if (std::isnan(x) || std::isnan(y)) return !std::isnan(x) && std::isnan(y);  // empty cells last
    return view.descending ? x > y : x < y;
  });
  view.rows_dirty = false;
}

void draw_features_panel(AppState& state, bool* open) {
  if (!ImGui::Begin(panel_title(kFeaturesPanel), open)) {
    ImGui::End();
    return;
  }
  if (results_header(state)) {
    const WorkspaceResults& results = *state.results;
    FeaturesView& view = state.features;
    if (results.latents.empty()) {
      ImGui::TextWrapped("No feature analysis yet: loupe analyze features --workspace W --sae NAME (docs/feature-analysis.md).");
    } else {
      view.analysis = std::clamp(view.analysis, 0, int(results.latents.size()) - 1);
      const LatentsResult& latents = *results.latents[size_t(view.analysis)];
      ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
      if (ImGui::BeginCombo("analysis", latents.id.c_str())) {
        for (size_t a = 0; a < results.latents.size(); ++a)
          if (ImGui::Selectable(results.latents[a]->id.c_str(), int(a) == view.analysis)) {
            view.analysis = int(a);
            view.rows_dirty = true;
          }
        ImGui::EndCombo();
      }
      ImGui::SameLine();
      ImGui::TextDisabled("SAE %s at %s", latents.sae.c_str(), latents.hook.c_str());
      ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
      if (ImGui::InputTextWithHint("##search", "latent number or promoted token", view.search, sizeof view.search)) view.rows_dirty = true;
      ImGui::SameLine();
      view.rows_dirty |= ImGui::Checkbox("language-specific", &view.language_specific);
      ImGui::SameLine();
      view.rows_dirty |= ImGui::Checkbox("aligned", &view.aligned);
      ImGui::SameLine();
      view.rows_dirty |= ImGui::Checkbox("gendered (q < 0.05)", &view.gendered);
      if (view.rows_dirty) refresh_latent_rows(view, latents);
      ImGui::TextDisabled("%zu of %zu latents", view.rows.size(), latents.values.size());

      std::vector<size_t> columns;  // into latents.columns
      for (const char* name : kShownColumns) {
        const auto found = std::find(latents.columns.begin(), latents.columns.end(), name);
        if (found != latents.columns.end()) columns.push_back(size_t(found - latents.columns.begin()));
      }
      const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_ScrollX | ImGuiTableFlags_Sortable |
                                    ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_Resizable |
                                    ImGuiTableFlags_SizingFixedFit;
      if (ImGui::BeginTable("latents", int(columns.size()) + 2, flags)) {
        ImGui::TableSetupScrollFreeze(1, 1);
        for (size_t c : columns) ImGui::TableSetupColumn(latents.columns[c].c_str(), 0, 0.0f, ImGuiID(c));
        ImGui::TableSetupColumn("language", ImGuiTableColumnFlags_NoSort);
        ImGui::TableSetupColumn("promotes", ImGuiTableColumnFlags_NoSort);
        ImGui::TableHeadersRow();
        if (view.table_sort_shown != view.sort_column * 2 + int(view.descending)) {
          // The table's arrow follows a sort set elsewhere (the script's sort-latents, a new analysis).
          for (size_t c = 0; c < columns.size(); ++c)
            if (int(columns[c]) == view.sort_column)
              ImGui::TableSetColumnSortDirection(int(c), view.descending ? ImGuiSortDirection_Descending : ImGuiSortDirection_Ascending, false);
          view.table_sort_shown = view.sort_column * 2 + int(view.descending);
        } else if (ImGuiTableSortSpecs* sort = ImGui::TableGetSortSpecs(); sort && sort->SpecsDirty) {
          if (sort->SpecsCount > 0) {
            view.sort_column = int(sort->Specs[0].ColumnUserID);
            view.descending = sort->Specs[0].SortDirection == ImGuiSortDirection_Descending;
          }
          sort->SpecsDirty = false;
          view.table_sort_shown = view.sort_column * 2 + int(view.descending);
          refresh_latent_rows(view, latents);
        }
        ImGuiListClipper clipper;
        clipper.Begin(int(view.rows.size()));
        while (clipper.Step())
          for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
            const size_t j = size_t(view.rows[size_t(r)]);
            ImGui::TableNextRow();
            ImGui::TableSetColumnIndex(0);
            char label[32];
            std::snprintf(label, sizeof label, "%zu", j);
            if (ImGui::Selectable(label, view.latent == int64_t(j), ImGuiSelectableFlags_SpanAllColumns)) {
              view.latent = int64_t(j);
              state.show[kFeaturePagePanel] = true;
            }
            for (size_t c = 1; c < columns.size(); ++c) {
              ImGui::TableSetColumnIndex(int(c));
              const double v = latents.values[j][columns[c]];
              if (std::isnan(v)) {
                ImGui::TextDisabled("-");
              } else {
                ImGui::Text("%.3g", v);
              }
            }
            ImGui::TableSetColumnIndex(int(columns.size()));
            ImGui::TextUnformatted(latents.language_specific[j].c_str());
            ImGui::TableSetColumnIndex(int(columns.size()) + 1);
            if (j < latents.details.size() && !latents.details[j].promoted.empty())
              ImGui::TextUnformatted(state.shaper.line(latents.details[j].promoted[0].text).c_str());
          }
        ImGui::EndTable();
      }
    }
  }
  ImGui::End();
}

}  // namespace loupe::ui
