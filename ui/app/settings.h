// Per-user settings of the desktop app: $XDG_CONFIG_HOME/loupe (else ~/.config/loupe) holds
// imgui.ini (window layout, written by Dear ImGui) and gui.json (which panels are shown).
#pragma once
#include <string>

#include "ui/app/app_state.h"

namespace loupe::ui {

std::string settings_folder();  // created when missing
void load_panel_settings(AppState& state);  // a missing or unreadable file keeps the defaults
void save_panel_settings(const AppState& state);

}  // namespace loupe::ui
