#include "ui/app/settings.h"

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/util/atomic_file.h"

namespace loupe::ui {

std::string settings_folder() {
  std::filesystem::path folder;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) {
    folder = std::filesystem::path(xdg) / "loupe";
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    folder = std::filesystem::path(home) / ".config" / "loupe";
  } else {
    folder = std::filesystem::temp_directory_path() / "loupe";
  }
  std::error_code ignored;
  std::filesystem::create_directories(folder, ignored);
  return folder.string();
}

void load_panel_settings(AppState& state) {
  try {
    const auto json = nlohmann::json::parse(util::read_file(settings_folder() + "/gui.json"));
    for (int p = 0; p < kPanelCount; ++p)
      if (json.contains("panels") && json["panels"].contains(panel_name(Panel(p))))
        state.show[p] = json["panels"][panel_name(Panel(p))].get<bool>();
  } catch (const std::exception&) {  // first run or a damaged file: the defaults
  }
}

void save_panel_settings(const AppState& state) {
  nlohmann::json json;
  for (int p = 0; p < kPanelCount; ++p) json["panels"][panel_name(Panel(p))] = state.show[p];
  try {
    util::write_file_atomic(settings_folder() + "/gui.json", json.dump(2) + "\n");
  } catch (const std::exception&) {  // a read-only home: the layout is simply not kept
  }
}

}  // namespace loupe::ui
