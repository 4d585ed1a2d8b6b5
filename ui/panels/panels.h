// One function per panel (one file each). Each draws its window when `open` is set; every Begin
// has its End.
#pragma once
#include <functional>

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
void draw_study_panel(AppState& state, bool* open);
void draw_patching_panel(AppState& state, bool* open);
// The Steering panel's dose-response sweep section (steering_sweep.cpp).
void draw_dose_sweep(AppState& state);

// The Feature browser's rows: the latents passing its search and filters, in its sort order.
void refresh_latent_rows(FeaturesView& view, const LatentsResult& latents);
// Selects the open map's points inside `box` (data units), as a box drawn on the Maps panel does.
void select_map_box(AppState& state, const DataBox& box);

// The results panels' first lines (results_common.cpp): what to open when no workspace is open,
// the reading job's progress, a Refresh button and the problems met reading. True when results
// are there to draw.
bool results_header(AppState& state);
// A job started from a panel: while it runs, its progress bar and Cancel (true); after it failed or
// was cancelled, its message.
bool job_status(AppState& state, jobs::JobId job_id);
// A panel's button that starts a job (`start`; an error it throws goes to the status bar), in
// place of which job_status shows the job `job_id` while it runs, and below which its failure.
void job_button(AppState& state, jobs::JobId job_id, const char* label, const std::function<void()>& start);
// The fonts figures are drawn with: the body font, and the caption font for large text.
FigureFonts figure_fonts(const AppState& state);
// Where figures and tables are exported: W/figures, or figures/ when no workspace is open.
std::string figures_folder(const AppState& state);
// Draws the widget's plot and starts the export its right-click menu asked for, if any.
PlotWidget::Hover draw_plot(AppState& state, PlotWidget& plot, const char* id, ImVec2 size, bool box_select = false);
// A table of text cells (Arabic shaped), rows clipped to the visible ones, columns resizable.
void draw_csv_table(ShapeCache& shaper, const io::CsvTable& table, const char* id, ImVec2 size);

// The LoRA adapter switch of the caption and steering panels: a checkbox for the read adapter
// (captions with it beside those without), and a folder field to read one (caption_panel.cpp).
void draw_adapter_switch(AppState& state, const char* id);

}  // namespace loupe::ui
