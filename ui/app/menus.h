// The menu bar (File, View, Help), its keyboard shortcuts, and the dialogs it opens (a path field
// for each File action, About, Keyboard shortcuts).
#pragma once
#include "ui/app/app_state.h"

struct GLFWwindow;

namespace loupe::ui {

struct MenuState {
  enum class Dialog { None, OpenModel, OpenImages, OpenWorkspace, NewWorkspace, Export, ExportReport, SaveSteeringSet, LoadSteeringSet, About, Shortcuts };
  Dialog dialog = Dialog::None;
  bool just_opened = false;
  char path[1024] = {};
};

void draw_menu_bar(AppState& state, MenuState& menus, GLFWwindow* window);
void draw_dialogs(AppState& state, MenuState& menus);

}  // namespace loupe::ui
