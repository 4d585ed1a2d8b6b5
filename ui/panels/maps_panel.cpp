// Maps: PCA and t-SNE maps of store entries or SAE decoder directions (`loupe analyze embed`),
// coloured by any label column; hovering a point shows its image and caption; a box drawn with the
// left button selects points, lists their rows, and can become a direction (selection mean minus
// the rest), which is saved in the workspace and added as a steering slider. Recompute makes a new
// map of the store at a hook as `loupe analyze embed` does, on a job with progress.
#include <imgui.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "core/error.h"

#include "ui/app/widgets.h"
#include "ui/panels/panels.h"
#include "ui/render/textures.h"

namespace loupe::ui {

namespace {

constexpr size_t kMaxColours = 10;  // more distinct labels: the 9 most frequent and "other"

// The study figure's caption line for the map (model, data, hook, the run that made it).
std::string map_caption(const WorkspaceResults& results, const MapResult& map) {
  for (const FigureResult& figure : results.figures)
    if (figure.figure.section == "maps" && figure.plot && (figure.figure.source.parent_path().filename() / figure.figure.source.stem()).generic_string() == map.id)
      return figure.plot->caption;
  return map.id;
}

// One scatter series per label value, so the legend names the colours.
void build_map_plot(MapsView& view, const WorkspaceResults& results, const MapResult& map) {
  const bool labelled = std::find(map.label_columns.begin(), map.label_columns.end(), view.colour_by) != map.label_columns.end();
  const std::vector<std::string> labels = labelled ? map_labels(map, view.colour_by) : std::vector<std::string>(map.x.size());
  std::map<std::string, size_t> counts;
  std::vector<std::string> order;  // first appearance
  for (const std::string& label : labels)
    if (counts[label]++ == 0) order.push_back(label);
  if (order.size() > kMaxColours) {
    std::stable_sort(order.begin(), order.end(), [&](const std::string& a, const std::string& b) { return counts[a] > counts[b]; });
    order.resize(kMaxColours - 1);
  }
  auto plot = std::make_shared<report::Plot>();
  const std::string method = map.id.size() > 5 && map.id.compare(map.id.size() - 5, 5, "-tsne") == 0 ? "t-SNE" : "PC";
  plot->title = "Map of " + map.id + (labelled ? " by " + view.colour_by : "");
  plot->caption = map_caption(results, map);
  plot->x.label = method + " 1";
  plot->y.label = method + " 2";
  view.series_rows.assign(order.size() + 1, {});
  for (const std::string& label : order) plot->series.push_back(report::make_series(label.empty() ? "(none)" : label, report::SeriesKind::Scatter));
  plot->series.push_back(report::make_series(labelled && counts.size() > order.size() ? "other" : "", report::SeriesKind::Scatter));
  for (size_t row = 0; row < labels.size(); ++row) {
    const size_t s = size_t(std::find(order.begin(), order.end(), labels[row]) - order.begin());  // order.size(): other
    plot->series[s].x.push_back(map.x[row]);
    plot->series[s].y.push_back(map.y[row]);
    view.series_rows[s].push_back(row);
  }
  for (auto& series : plot->series) series.marker_radius = report::scatter_marker_radius(map.x.size());
  if (plot->series.back().x.empty()) {
    plot->series.pop_back();
    view.series_rows.pop_back();
  }
  plot->legend = labelled;
  view.plot.set(std::filesystem::path(map.id).filename().string(), plot, map.csv);
}

void point_tooltip(AppState& state, const MapResult& map, size_t row) {
  ImGui::BeginTooltip();
  const io::CsvRecord& record = map.table.rows[row];
  if (map.image_column >= 0) {
    const std::string& image = map.table.at(record, size_t(map.image_column));
    if (const Texture* texture = state.textures->get(image)) {
      const float side = ImGui::GetFontSize() * 8;
      ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture->id)), ImVec2(side, side * float(texture->height) / float(std::max(texture->width, 1))));
    }
  }
  if (map.caption_column >= 0) bidi_text(state.shaper, map.table.at(record, size_t(map.caption_column)), false);
  for (const std::string& column : map.label_columns)
    ImGui::TextDisabled("%s: %s", column.c_str(), map.table.at(record, map.table.column(column)).c_str());
  ImGui::EndTooltip();
}

void selection_list(AppState& state, MapsView& view, const MapResult& map) {
  ImGui::Text("%zu points selected", view.selected.size());
  ImGui::SameLine();
  if (ImGui::SmallButton("Clear")) view.selected.clear();
  if (!map.hook.empty()) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
    ImGui::InputText("##direction name", view.direction_name, sizeof view.direction_name);
    ImGui::SameLine();
    if (ImGui::SmallButton("Make a direction (selection − rest)")) {
      add_selection_direction(state, view.direction_name);
      state.show[kSteeringPanel] = true;
    }
  }
  io::CsvTable shown;
  shown.name = map.id;
  shown.header = map.table.header;
  for (size_t row : view.selected) shown.rows.push_back(map.table.rows[row]);
  draw_csv_table(state.shaper, shown, "selected rows", ImVec2(0, 0));
}

// Recompute: a new map of the store at a hook, as `loupe analyze embed` makes it, on a job.
void recompute_form(AppState& state) {
  MapsView& view = state.maps;
  MapInputs& in = view.recompute;
  if (!ImGui::CollapsingHeader("Recompute a map")) return;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 14);
  ImGui::InputText("hook##map", view.recompute_hook, sizeof view.recompute_hook);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
  ImGui::InputTextWithHint("or SAE##map", "decoder map", view.recompute_sae, sizeof view.recompute_sae);
  ImGui::SameLine();
  int method = in.method == "pca" ? 0 : 1;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
  if (ImGui::Combo("method", &method, "pca\0tsne\0")) in.method = method == 0 ? "pca" : "tsne";
  if (in.method == "tsne") {
    ImGui::SameLine();
    float perplexity = float(in.perplexity);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
    if (ImGui::InputFloat("perplexity", &perplexity, 0, 0, "%.0f")) in.perplexity = std::max(1.0f, perplexity);
    ImGui::SameLine();
    int seed = int(in.seed);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
    if (ImGui::InputInt("seed", &seed)) in.seed = uint64_t(std::max(0, seed));
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
  ImGui::InputText("name##map", view.recompute_name, sizeof view.recompute_name);
  ImGui::SameLine();
  job_button(state, view.recompute_job, "Compute", [&] {
    MapInputs inputs = in;
    inputs.sae = view.recompute_sae;
    inputs.hook = inputs.sae.empty() ? view.recompute_hook : "";  // an SAE named: its decoder directions
    inputs.name = view.recompute_name;
    start_map(state, inputs);
  });
}

}  // namespace

void select_map_box(AppState& state, const DataBox& box) {
  if (!state.results || state.maps.map >= int(state.results->maps.size())) throw InputError("open a map first (Maps panel)");
  const MapResult& map = *state.results->maps[size_t(state.maps.map)];
  state.maps.selected.clear();
  for (size_t row = 0; row < map.x.size(); ++row)
    if (box.contains(map.x[row], map.y[row])) state.maps.selected.push_back(row);
}

void draw_maps_panel(AppState& state, bool* open) {
  if (!ImGui::Begin(panel_title(kMapsPanel), open)) {
    ImGui::End();
    return;
  }
  if (results_header(state)) {
    const WorkspaceResults& results = *state.results;
    MapsView& view = state.maps;
    recompute_form(state);
    if (results.maps.empty()) {
      ImGui::TextWrapped("No map yet: Recompute a map above, or loupe analyze embed --workspace W --hooks HOOK --method tsne "
                         "(docs/layer-analyses.md).");
    } else {
      view.map = std::clamp(view.map, 0, int(results.maps.size()) - 1);
      const MapResult& map = *results.maps[size_t(view.map)];
      ImGui::SetNextItemWidth(ImGui::GetFontSize() * 18);
      if (ImGui::BeginCombo("map", map.id.c_str())) {
        for (size_t m = 0; m < results.maps.size(); ++m)
          if (ImGui::Selectable(results.maps[m]->id.c_str(), int(m) == view.map)) {
            view.map = int(m);
            view.selected.clear();
          }
        ImGui::EndCombo();
      }
      ImGui::SameLine();
      ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
      if (ImGui::BeginCombo("colour by", view.colour_by.c_str())) {
        for (const std::string& column : map.label_columns)
          if (ImGui::Selectable(column.c_str(), column == view.colour_by)) view.colour_by = column;
        ImGui::EndCombo();
      }
      ImGui::SameLine();
      ImGui::TextDisabled("%zu points; drag a box to select", map.x.size());
      const MapResult& shown = *results.maps[size_t(view.map)];
      const std::string key = shown.id + "|" + view.colour_by;
      if (view.plotted != key) {
        build_map_plot(view, results, shown);
        view.plotted = key;
      }
      const float list_height = view.selected.empty() ? 0.0f : ImGui::GetFontSize() * 10;
      const PlotWidget::Hover hover = draw_plot(state, view.plot, "map", ImVec2(0, -list_height), true);
      if (hover.series >= 0) point_tooltip(state, shown, view.series_rows[size_t(hover.series)][hover.point]);
      if (auto box = view.plot.take_box()) select_map_box(state, *box);
      if (!view.selected.empty()) selection_list(state, view, shown);
    }
  }
  ImGui::End();
}

}  // namespace loupe::ui
