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

// The LoRA adapter switch of the caption and steering panels: a checkbox for the read adapter
// (captions with it beside those without), and a folder field to read one (caption_panel.cpp).
void draw_adapter_switch(AppState& state, const char* id);

}  // namespace loupe::ui
