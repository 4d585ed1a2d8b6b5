// One function per panel (one file each). Each draws its window when `open` is set; every Begin
// has its End.
#pragma once
#include "ui/app/app_state.h"

namespace loupe::ui {

void draw_images_panel(AppState& state, bool* open);
void draw_caption_panel(AppState& state, bool* open);
void draw_heatmap_panel(AppState& state, bool* open);
void draw_steering_panel(AppState& state, bool* open);
void draw_jobs_panel(AppState& state, bool* open);
void draw_bias_panel(AppState& state, bool* open);
void draw_maps_panel(AppState& state, bool* open);
void draw_features_panel(AppState& state, bool* open);
void draw_feature_page_panel(AppState& state, bool* open);

// The Feature browser's rows: the latents passing its search and filters, in its sort order.
void refresh_latent_rows(FeaturesView& view, const LatentsResult& latents);
// Selects the open map's points inside `box` (data units), as a box drawn on the Maps panel does.
void select_map_box(AppState& state, const DataBox& box);

// The results panels' first lines (results_common.cpp): what to open when no workspace is open,
// the reading job's progress, a Refresh button and the problems met reading. True when results
// are there to draw.
bool results_header(AppState& state);
// The fonts figures are drawn with: the body font, and the caption font for large text.
FigureFonts figure_fonts(const AppState& state);
// Draws the widget's plot and starts the export its right-click menu asked for, if any.
PlotWidget::Hover draw_plot(AppState& state, PlotWidget& plot, const char* id, ImVec2 size, bool box_select = false);
// A table of text cells (Arabic shaped), rows clipped to the visible ones, columns resizable.
void draw_csv_table(ShapeCache& shaper, const io::CsvTable& table, const char* id, ImVec2 size);

// The LoRA adapter switch of the caption and steering panels: a checkbox for the read adapter
// (captions with it beside those without), and a folder field to read one (caption_panel.cpp).
void draw_adapter_switch(AppState& state, const char* id);

}  // namespace loupe::ui
